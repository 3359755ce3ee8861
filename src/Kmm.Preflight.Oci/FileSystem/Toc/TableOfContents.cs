using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// A layer's verified table of contents, kept with its <see cref="LayerIndex"/>: where each regular file's compressed
/// data is. Index entries of such a layer carry, as their data offset, the position of their file in <see cref="Files"/>.
/// </summary>
internal sealed class TableOfContents
{
    private long _bytesRead;

    public TableOfContents(TocFormat format, IReadOnlyList<TocFileRange> files, long bytesRead, Digest tocDigest = default)
    {
        Format = format;
        TocDigest = tocDigest;
        Files = files;
        _bytesRead = bytesRead;
    }

    /// <summary>The digest the layer's descriptor announces for the TOC (what it was verified against); empty when unknown.</summary>
    public Digest TocDigest { get; }

    /// <summary>The layer's format.</summary>
    public TocFormat Format { get; }

    /// <summary>The regular files, by the data offset of their index entries.</summary>
    public IReadOnlyList<TocFileRange> Files { get; }

    /// <summary>Compressed bytes of the blob read so far: footer, TOC and file ranges.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>The name shown in notes and logs.</summary>
    public string FormatName => Format == TocFormat.Estargz ? "eStargz" : "zstd:chunked";

    /// <summary>Counts bytes read for a file and returns the new total.</summary>
    public long AddBytesRead(long count) => Interlocked.Add(ref _bytesRead, count);

    /// <summary>The file an index entry's data offset names.</summary>
    /// <exception cref="InvalidDataException">The offset names no file (an index not made from this TOC).</exception>
    public TocFileRange FileAt(long dataOffset) => dataOffset >= 0 && dataOffset < Files.Count
        ? Files[(int)dataOffset]
        : throw new InvalidDataException($"data offset {dataOffset} names no file of the {FormatName} table of contents");
}
