namespace Kmm.Preflight.Core.Engine;

/// <summary>The parameters of <c>POST /build</c> this project uses.</summary>
internal sealed record EngineBuildRequest
{
    /// <summary>The tag of the result (so it can be saved and removed by name too).</summary>
    public required string Tag { get; init; }

    /// <summary>Build arguments, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> BuildArgs { get; init; } = [];

    /// <summary>The network of <c>RUN</c> steps, e.g. <c>none</c>; null for the engine's default.</summary>
    public string? NetworkMode { get; init; }

    /// <summary>Whether to ignore the engine's build cache.</summary>
    public bool NoCache { get; init; }

    /// <summary>Whether to ask dockerd for BuildKit (<c>version=2</c>); podman ignores it.</summary>
    public bool BuildKit { get; init; }
}
