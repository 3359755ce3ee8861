namespace Kmm.Preflight.Core.Model;

/// <summary>KMM's <c>build</c> section: how to build the module image in the cluster.</summary>
public sealed record BuildSpec
{
    /// <summary>Name of the ConfigMap holding the Dockerfile (key <c>dockerfile</c>); null when not set.</summary>
    public string? DockerfileConfigMap { get; init; }

    /// <summary>Build arguments, in order.</summary>
    public IReadOnlyList<BuildArg> BuildArgs { get; init; } = [];

    /// <summary>Names of Secrets mounted into the build.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>TLS settings for the base image's registry; null when not set.</summary>
    public RegistryTls? BaseImageRegistryTls { get; init; }
}
