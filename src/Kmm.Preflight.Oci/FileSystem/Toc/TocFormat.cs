namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>Layer formats that carry a table of contents, so a layer can be listed and read without streaming it.</summary>
internal enum TocFormat
{
    /// <summary>eStargz: a gzip layer of per-file gzip members, the TOC a tar member near the end.</summary>
    Estargz,

    /// <summary>zstd:chunked: a zstd layer of per-file frames, the TOC a zstd frame in a skippable frame.</summary>
    ZstdChunked,
}
