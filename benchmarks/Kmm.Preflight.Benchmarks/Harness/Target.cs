namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>A ratio or figure checked against its target; a NaN limit means "reported, no target".</summary>
internal sealed record Target(string Name, double Value, string Comparison, double Limit)
{
    public bool? Met => double.IsNaN(Limit) ? null : Comparison == "<=" ? Value <= Limit : Value < Limit;

    public static Target AtMost(string name, double value, double limit) => new(name, value, "<=", limit);

    public static Target Below(string name, double value, double limit) => new(name, value, "<", limit);
}
