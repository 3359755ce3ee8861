using Kmm.Preflight.Oci.FileSystem;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Images;

/// <summary>Options for <see cref="ImageOpener"/>.</summary>
public sealed record ImageOpenerOptions
{
    /// <summary>The layer index cache shared by every image opened; null for one private to the opener.</summary>
    public LayerIndexCache? Cache { get; init; }

    /// <summary>Which files to keep in memory while indexing a layer (path in the layer, size); null keeps nothing.</summary>
    public Func<string, long, bool>? RetainContent { get; init; }

    /// <summary>How many layers of one image may be streamed at once.</summary>
    /// <value>Default 2.</value>
    public int MaxParallelLayers { get; init; } = 2;

    /// <summary>
    /// Whether each distinct image (reference, platform, credentials and TLS settings) is resolved once and the result
    /// shared by every request for it: manifest and config are fetched once, every module sees the same digest for a
    /// tag, and a failure (an unreachable registry, a missing tag) is met once rather than once per module.
    /// </summary>
    /// <value>Default false: tags move, so only an opener that lives for one run (as <c>PreflightValidator</c>'s own
    /// does) should keep what it resolved.</value>
    public bool ReuseResolvedImages { get; init; }

    /// <summary>Progress of layer reads; null for none.</summary>
    public IProgress<LayerScanProgress>? Progress { get; init; }

    /// <summary>Logger; null for none.</summary>
    public ILogger? Logger { get; init; }
}
