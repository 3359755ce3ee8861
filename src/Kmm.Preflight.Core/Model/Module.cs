namespace Kmm.Preflight.Core.Model;

/// <summary>A KMM <c>Module</c> (<c>kmm.sigs.x-k8s.io/v1beta1</c>), the fields preflight needs.</summary>
public sealed record Module
{
    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>The namespace.</summary>
    /// <value>Default <c>default</c>.</value>
    public string Namespace { get; init; } = "default";

    /// <summary>The name of the pull Secret in <see cref="Namespace"/>; null when not set.</summary>
    public string? ImageRepoSecret { get; init; }

    /// <summary>The module loader container; null when the Module has no <c>moduleLoader</c> (nothing to validate).</summary>
    public ModuleLoaderContainer? Container { get; init; }

    /// <summary>Where the object was read from, for messages; null when built in code.</summary>
    public string? SourceFile { get; init; }

    /// <summary>The object's identity for messages.</summary>
    public ObjectId Id => new("Module", Namespace, Name);
}
