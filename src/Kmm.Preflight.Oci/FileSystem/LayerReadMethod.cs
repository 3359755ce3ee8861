namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>How a layer was read.</summary>
public enum LayerReadMethod
{
    /// <summary>Streamed from its start and decompressed as far as needed.</summary>
    Stream,

    /// <summary>Listed from its verified table of contents (eStargz, zstd:chunked); files read by range.</summary>
    TableOfContents,
}
