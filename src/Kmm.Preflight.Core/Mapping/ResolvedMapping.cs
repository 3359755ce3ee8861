using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Mapping;

/// <summary>What to check for one Module and kernel: the matching mapping with inheritance applied and variables expanded.</summary>
public sealed record ResolvedMapping
{
    /// <summary>The Module.</summary>
    public required Module Module { get; init; }

    /// <summary>The target kernel.</summary>
    public required KernelRelease Kernel { get; init; }

    /// <summary>The index of the matching entry in <c>kernelMappings</c>.</summary>
    public required int MappingIndex { get; init; }

    /// <summary>The matching mapping as written.</summary>
    public required KernelMapping Mapping { get; init; }

    /// <summary>The container's modprobe settings.</summary>
    public required ModprobeSpec Modprobe { get; init; }

    /// <summary>The image to check, variables expanded.</summary>
    public required string ContainerImage { get; init; }

    /// <summary>The TLS settings for <see cref="ContainerImage"/>; null for defaults.</summary>
    public RegistryTls? RegistryTls { get; init; }

    /// <summary>The merged build settings; null when neither the container nor the mapping has any.</summary>
    public BuildSpec? Build { get; init; }

    /// <summary>The merged sign settings with <c>unsignedImage</c> and <c>filesToSign</c> expanded; null when neither side has any.</summary>
    public SignSpec? Sign { get; init; }

    /// <summary>In-tree modules to remove (the mapping's, else the container's).</summary>
    public IReadOnlyList<string> InTreeModulesToRemove { get; init; } = [];

    /// <summary>Describes the mapping for messages, e.g. <c>kernelMappings[1] (regexp ^6\.1\..*$)</c>.</summary>
    public string Describe() => Mapping.Literal is not null
        ? $"kernelMappings[{MappingIndex}] (literal {Mapping.Literal})"
        : $"kernelMappings[{MappingIndex}] (regexp {Mapping.Regexp})";
}
