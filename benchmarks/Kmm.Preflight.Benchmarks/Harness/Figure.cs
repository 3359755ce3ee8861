namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>One measured figure: median and best wall time over the runs, peak RSS, and the child's own report.</summary>
internal sealed record Figure(string Name, double Seconds, double MinSeconds, long? PeakRssKb, string? Detail);
