using Kmm.Preflight.Oci.Layers.Tar;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Turns TOC entries into the <see cref="LayerIndex"/> streaming would produce (same classification of names,
/// whiteouts and links, through <see cref="LayerIndexer.Classify(string, TarEntryKind, long, string, int, long)"/>) plus each file's compressed range.
/// </summary>
internal static class TocIndexBuilder
{
    /// <summary>Builds the index of a layer whose TOC is <paramref name="listing"/> and whose file data ends at <paramref name="dataEnd"/>.</summary>
    /// <exception cref="TocInvalidException">An entry is inconsistent (unknown type, range outside the data, no digest).</exception>
    public static (LayerIndex Index, TableOfContents Toc) Build(Digest layer, TocFormat format, TocListing listing, long dataEnd, long bytesRead, Digest tocDigest = default)
    {
        // eStargz does not record where a file's last gzip member ends: it ends where the next recorded one begins.
        var entries = listing.Entries;
        var starts = format == TocFormat.Estargz ? DataStarts(listing.DataStarts, dataEnd) : null;
        var files = new List<TocFileRange>();
        var indexEntries = new List<LayerIndexEntry>(entries.Count);
        var byPath = new Dictionary<string, LayerIndexEntry>(StringComparer.Ordinal);
        var uncompressed = 0L;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var kind = KindOf(entry);
            var path = LayerPath.Normalise(entry.Name);
            var dataOffset = 0L;
            if (kind == TarEntryKind.RegularFile)
            {
                dataOffset = files.Count;
                files.Add(RangeOf(format, entry, path, starts, dataEnd));
                uncompressed += entry.Size;
            }

            if (LayerIndexer.Classify(path, kind, kind == TarEntryKind.RegularFile ? entry.Size : 0, entry.LinkName, entry.Mode, dataOffset) is not { } indexed
                || (format == TocFormat.Estargz && TocAnnotations.IsEstargzHidden(indexed.Path)))
            {
                continue;
            }

            indexEntries.Add(LayerIndexer.TrackFiles(byPath, indexed));
        }

        indexEntries.TrimExcess();
        var toc = new TableOfContents(format, files, bytesRead, tocDigest);
        return (new LayerIndex(layer, indexEntries, uncompressed) { Toc = toc }, toc);
    }

    private static TarEntryKind KindOf(TocEntry entry) => entry.Type switch
    {
        "reg" => TarEntryKind.RegularFile,
        "dir" => TarEntryKind.Directory,
        "symlink" => TarEntryKind.SymbolicLink,
        "hardlink" => TarEntryKind.HardLink,
        "char" => TarEntryKind.CharacterDevice,
        "block" => TarEntryKind.BlockDevice,
        "fifo" => TarEntryKind.Fifo,
        _ => throw new TocInvalidException($"TOC entry {entry.Index} ('{entry.Name}') has unknown type '{(entry.Type.Length > 20 ? entry.Type[..20] : entry.Type)}'"),
    };

    private static TocFileRange RangeOf(TocFormat format, TocEntry entry, string path, long[]? starts, long dataEnd)
    {
        if (entry.Size == 0)
        {
            return new TocFileRange(path, 0, 0, 0, 0, entry.Digest);
        }

        if (entry.Digest is null)
        {
            throw new TocInvalidException($"TOC entry {entry.Index} ('{entry.Name}') has data but no digest to verify it by");
        }

        long end;
        if (format == TocFormat.ZstdChunked)
        {
            end = entry.EndOffset;
        }
        else
        {
            // The file's data ends with the gzip member of its last chunk (the last "chunk" entry right after it).
            if (entry.ChunkInSharedMember)
            {
                throw new TocInvalidException($"TOC entry {entry.Index} ('{entry.Name}') has a chunk inside a shared gzip member, which is not read by range");
            }

            var position = Array.BinarySearch(starts!, entry.LastChunkOffset);
            end = position >= 0 && position + 1 < starts!.Length ? starts[position + 1] : dataEnd;
        }

        if (entry.Offset <= 0 || end <= entry.Offset || end > dataEnd)
        {
            throw new TocInvalidException($"TOC entry {entry.Index} ('{entry.Name}') places its data at {entry.Offset}..{end}, outside the layer's data (0..{dataEnd})");
        }

        return new TocFileRange(path, entry.Offset, end, entry.InnerOffset, entry.Size, entry.Digest);
    }

    private static long[] DataStarts(List<long> offsets, long dataEnd)
    {
        // Sorted and without repeats: a file's first chunk repeats the file's offset.
        var starts = new long[offsets.Count + 1];
        offsets.CopyTo(starts);
        starts[^1] = dataEnd;
        Array.Sort(starts);
        var distinct = 0;
        for (var i = 0; i < starts.Length; i++)
        {
            if (i == 0 || starts[i] != starts[distinct - 1])
            {
                starts[distinct++] = starts[i];
            }
        }

        return starts[..distinct];
    }
}
