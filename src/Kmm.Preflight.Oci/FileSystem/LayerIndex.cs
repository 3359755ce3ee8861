using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>What one layer holds: its entries in tar order, from one streaming pass over the blob.</summary>
internal sealed class LayerIndex
{
    public LayerIndex(Digest digest, IReadOnlyList<LayerIndexEntry> entries, long uncompressedSize)
    {
        Digest = digest;
        Entries = entries;
        UncompressedSize = uncompressedSize;
        Shape = new LayerShape(entries);
    }

    /// <summary>The layer's digest.</summary>
    public Digest Digest { get; }

    /// <summary>The entries, in tar order.</summary>
    public IReadOnlyList<LayerIndexEntry> Entries { get; }

    /// <summary>What the entries allow a point query to skip, worked out on first use.</summary>
    public LayerShape Shape { get; }

    /// <summary>Size of the uncompressed tar (from a table of contents: the sum of the file sizes).</summary>
    public long UncompressedSize { get; }

    /// <summary>Decoder checkpoints for reading a file without streaming the layer from its start; null when not recorded.</summary>
    public LayerRandomAccess? RandomAccess { get; init; }

    /// <summary>
    /// Whether the blob was read to its end while indexing, so its digest and size were verified (or the index was
    /// loaded from a cache file, which is written only then). Only such indexes are persisted.
    /// </summary>
    public bool DigestVerified { get; init; }

    /// <summary>
    /// The verified table of contents the index was made from, or null when the layer was streamed. When set, entries'
    /// data offsets name files of <see cref="Toc.TableOfContents.Files"/>, not offsets in the tar.
    /// </summary>
    public Toc.TableOfContents? Toc { get; init; }
}
