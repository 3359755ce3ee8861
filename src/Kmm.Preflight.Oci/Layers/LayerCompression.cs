namespace Kmm.Preflight.Oci.Layers;

/// <summary>How a layer's tar stream is compressed.</summary>
internal enum LayerCompression
{
    /// <summary>Decide by the blob's first bytes.</summary>
    Sniff,
    /// <summary>Plain tar.</summary>
    None,
    /// <summary>gzip (one or more members).</summary>
    Gzip,
    /// <summary>zstd (one or more frames, skippable frames allowed).</summary>
    Zstd,
}
