namespace Kmm.Preflight.Core.Engine;

/// <summary>What a container engine says about itself (<c>GET /version</c>).</summary>
internal sealed record EngineVersion
{
    /// <summary>The engine's version, e.g. <c>20.10.24</c> or <c>4.3.1</c>.</summary>
    public required string Version { get; init; }

    /// <summary>The Docker API version it speaks, e.g. <c>1.41</c>.</summary>
    public required string ApiVersion { get; init; }

    /// <summary>Whether it is podman's compatibility service (which builds with buildah, not BuildKit).</summary>
    public required bool IsPodman { get; init; }

    /// <summary>For messages, e.g. <c>podman 4.3.1</c>.</summary>
    public override string ToString() => IsPodman ? $"podman {Version}" : $"dockerd {Version} (API {ApiVersion})";
}
