namespace Kmm.Preflight.Core.Model;

/// <summary>KMM's <c>moduleLoader.container</c>.</summary>
public sealed record ModuleLoaderContainer
{
    /// <summary>How modprobe loads the module.</summary>
    public required ModprobeSpec Modprobe { get; init; }

    /// <summary>The default image; null when every mapping gives one.</summary>
    public string? ContainerImage { get; init; }

    /// <summary>Default TLS settings; null when not set.</summary>
    public RegistryTls? RegistryTls { get; init; }

    /// <summary>Default build settings; null when not set.</summary>
    public BuildSpec? Build { get; init; }

    /// <summary>Default sign settings; null when not set.</summary>
    public SignSpec? Sign { get; init; }

    /// <summary>In-tree modules to remove (the deprecated singular <c>inTreeModuleToRemove</c> is folded in); null when not set.</summary>
    public IReadOnlyList<string>? InTreeModulesToRemove { get; init; }

    /// <summary>Kernel mappings, in order.</summary>
    public IReadOnlyList<KernelMapping> KernelMappings { get; init; } = [];
}
