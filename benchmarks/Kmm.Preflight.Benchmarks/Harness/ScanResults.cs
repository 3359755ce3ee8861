using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>Everything one harness run measured, as Markdown (for the README) and JSON.</summary>
internal sealed class ScanResults
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public required string Kernel { get; init; }

    public required string Release { get; init; }

    public required int Runs { get; init; }

    public required string Source { get; init; }

    public string ChildEnvironment { get; init; } = string.Empty;

    /// <summary>How the measured .NET child was compiled (Aot, ReadyToRun, Jit).</summary>
    public string Child { get; set; } = string.Empty;

    public Dictionary<string, double> Sizes { get; } = [];

    /// <summary>The 1-minute load average before and after the runs: figures from a busy machine are noisy.</summary>
    public List<string> LoadAverages { get; } = [];

    public List<Figure> Figures { get; } = [];

    public List<Target> Targets { get; } = [];

    public static string CurrentLoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.AppendLine(invariant, $"## Scan benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        text.AppendLine();
        text.AppendLine(invariant, $"Kernel package `{Kernel}` (`{Release}`), whole module tree as one layer; images read from {Source}.");
        text.AppendLine(invariant, $"{Environment.ProcessorCount} cores; each figure is the median of {Runs} runs ({Runs * ScanHarness.ShortRunFactor} for runs under 0.25 s), each run a fresh process (wall time from spawn to exit, start-up included), the runs back to back.");
        text.AppendLine(invariant, $"Sizes: {string.Join(", ", Sizes.Select(s => $"{s.Key} {s.Value:F1}"))}.");
        text.AppendLine(invariant, $"The .NET runs are `benchmarks/Kmm.Preflight.ScanChild` published {Child switch { "Aot" => "as Native AOT", "ReadyToRun" => "ReadyToRun", _ => "framework-dependent (JIT)" }} for this machine.");
        if (ChildEnvironment.Length > 0)
        {
            text.AppendLine(invariant, $".NET child runs with: `{ChildEnvironment}`.");
        }

        text.AppendLine(invariant, $"Load average (1 min) before / after: {string.Join(" / ", LoadAverages)}.");
        text.AppendLine();
        text.AppendLine("| run | median s | best s | peak RSS MB |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var figure in Figures)
        {
            text.AppendLine(invariant, $"| {figure.Name} | {figure.Seconds:F3} | {figure.MinSeconds:F3} | {(figure.PeakRssKb is { } kb ? (kb / 1024.0).ToString("F0", invariant) : "?")} |");
        }

        text.AppendLine();
        text.AppendLine("| target | value | limit | met |");
        text.AppendLine("|---|---:|---:|---|");
        foreach (var target in Targets)
        {
            var limit = double.IsNaN(target.Limit) ? "(none)" : $"{target.Comparison} {target.Limit.ToString("0.##", invariant)}";
            var met = target.Met switch { true => "yes", false => "**no**", null => "-" };
            text.AppendLine(invariant, $"| {target.Name} | {target.Value:F3} | {limit} | {met} |");
        }

        return text.ToString();
    }

    public async Task WriteAsync(string markdownFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(markdownFile)!);
        await File.WriteAllTextAsync(markdownFile, ToMarkdown());
        var json = new
        {
            kernel = Kernel,
            release = Release,
            runs = Runs,
            shortRuns = Runs * ScanHarness.ShortRunFactor,
            source = Source,
            cores = Environment.ProcessorCount,
            measuredAtUtc = DateTime.UtcNow,
            sizes = Sizes,
            loadAverages = LoadAverages,
            childEnvironment = ChildEnvironment,
            child = Child,
            figures = Figures.Select(f => new { name = f.Name, medianSeconds = f.Seconds, bestSeconds = f.MinSeconds, peakRssKb = f.PeakRssKb, child = f.Detail is null ? (JsonElement?)null : JsonDocument.Parse(f.Detail).RootElement }),
            targets = Targets.Select(t => new { name = t.Name, value = t.Value, comparison = t.Comparison, limit = double.IsNaN(t.Limit) ? (double?)null : t.Limit, met = t.Met }),
        };
        await File.WriteAllTextAsync(Path.ChangeExtension(markdownFile, ".json"), JsonSerializer.Serialize(json, Indented));
    }
}
