namespace Kmm.Preflight.Core.Model;

/// <summary>One <c>kernelMappings[]</c> entry: which kernels it matches and what it overrides.</summary>
public sealed record KernelMapping
{
    /// <summary>The exact kernel this mapping matches; null when <see cref="Regexp"/> is used.</summary>
    public string? Literal { get; init; }

    /// <summary>An unanchored regular expression over the kernel; null when <see cref="Literal"/> is used.</summary>
    public string? Regexp { get; init; }

    /// <summary>The image for matching kernels; null to inherit the container's.</summary>
    public string? ContainerImage { get; init; }

    /// <summary>TLS settings; null to inherit the container's.</summary>
    public RegistryTls? RegistryTls { get; init; }

    /// <summary>Build settings, merged with the container's.</summary>
    public BuildSpec? Build { get; init; }

    /// <summary>Sign settings, merged with the container's.</summary>
    public SignSpec? Sign { get; init; }

    /// <summary>In-tree modules to remove before loading; null to inherit.</summary>
    public IReadOnlyList<string>? InTreeModulesToRemove { get; init; }
}
