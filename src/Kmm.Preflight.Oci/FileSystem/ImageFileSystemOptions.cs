using Kmm.Preflight.Oci.Layers;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>Options for <see cref="ImageFileSystem"/>.</summary>
public sealed record ImageFileSystemOptions
{
    /// <summary>Layer index cache shared across images; null for a private in-memory cache.</summary>
    public LayerIndexCache? Cache { get; init; }

    /// <summary>
    /// Files whose content is kept in memory while a layer is indexed, so reading them later needs no second pass
    /// over the layer (e.g. kernel modules a caller is about to inspect). Called with the normalised absolute path
    /// in the layer and the file size. Null keeps nothing.
    /// </summary>
    public Func<string, long, bool>? RetainContent { get; init; }

    /// <summary>How many layers may be streamed at once.</summary>
    /// <value>Default 2.</value>
    public int MaxParallelLayers { get; init; } = 2;

    /// <summary>Bounds against hostile layers.</summary>
    /// <value>Default <see cref="LayerLimits.Default"/>.</value>
    public LayerLimits Limits { get; init; } = LayerLimits.Default;

    /// <summary>Progress of long layer reads; null for none.</summary>
    public IProgress<LayerScanProgress>? Progress { get; init; }

    /// <summary>Logger; null for none.</summary>
    public ILogger? Logger { get; init; }
}
