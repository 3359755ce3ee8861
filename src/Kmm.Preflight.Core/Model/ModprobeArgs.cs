namespace Kmm.Preflight.Core.Model;

/// <summary>KMM's <c>modprobe.args</c> / <c>modprobe.rawArgs</c>: arguments for loading and unloading.</summary>
public sealed record ModprobeArgs
{
    /// <summary>Arguments used when loading.</summary>
    public IReadOnlyList<string> Load { get; init; } = [];

    /// <summary>Arguments used when unloading.</summary>
    public IReadOnlyList<string> Unload { get; init; } = [];
}
