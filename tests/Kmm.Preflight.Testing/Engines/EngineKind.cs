namespace Kmm.Preflight.Testing.Engines;

/// <summary>Which container engine an <see cref="EngineProcess"/> runs.</summary>
public enum EngineKind
{
    /// <summary>Debian's <c>dockerd</c> (docker.io).</summary>
    Docker,

    /// <summary><c>podman system service</c>, podman's Docker-compatible API.</summary>
    Podman,
}
