using Kmm.Preflight.Oci.Layers.Tar;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Turns TOC entries into the <see cref="LayerIndex"/> streaming would produce (same classification of names,
/// whiteouts and links, through <see cref="LayerIndexer.Classify"/>) plus each file's compressed range.
/// </summary>
internal static class TocIndexBuilder
{
    /// <summary>Builds the index of a layer whose TOC is <paramref name="entries"/> and whose file data ends at <paramref name="dataEnd"/>.</summary>
    /// <exception cref="TocInvalidException">An entry is inconsistent (unknown type, range outside the data, no digest).</exception>
    public static (LayerIndex Index, TableOfContents Toc) Build(Digest layer, TocFormat format, IReadOnlyList<TocEntry> entries, long dataEnd, long bytesRead)
    {
        // eStargz does not record where a file's last gzip member ends: it ends where the next recorded one begins.
        var starts = format == TocFormat.Estargz ? DataStarts(entries, dataEnd) : null;
        var files = new List<TocFileRange>();
        var indexEntries = new List<LayerIndexEntry>(entries.Count);
        var byPath = new Dictionary<string, LayerIndexEntry>(StringComparer.Ordinal);
        var uncompressed = 0L;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Type == "chunk")
            {
                continue;
            }

            var kind = KindOf(entry, i);
            var dataOffset = 0L;
            if (kind == TarEntryKind.RegularFile)
            {
                dataOffset = files.Count;
                files.Add(RangeOf(format, entries, i, starts, dataEnd));
                uncompressed += entry.Size;
            }

            var tarEntry = new LayerTarEntry
            {
                Index = i,
                HeaderOffset = 0,
                Name = entry.Name,
                Kind = kind,
                Size = kind == TarEntryKind.RegularFile ? entry.Size : 0,
                LinkName = entry.LinkName,
                Mode = entry.Mode,
                DataOffset = dataOffset,
            };
            if (LayerIndexer.Classify(tarEntry) is not { } indexed
                || (format == TocFormat.Estargz && TocAnnotations.IsEstargzHidden(indexed.Path)))
            {
                continue;
            }

            indexEntries.Add(LayerIndexer.TrackFiles(byPath, indexed));
        }

        indexEntries.TrimExcess();
        var toc = new TableOfContents(format, files, bytesRead);
        return (new LayerIndex(layer, indexEntries, uncompressed) { Toc = toc }, toc);
    }

    private static TarEntryKind KindOf(TocEntry entry, int index) => entry.Type switch
    {
        "reg" => TarEntryKind.RegularFile,
        "dir" => TarEntryKind.Directory,
        "symlink" => TarEntryKind.SymbolicLink,
        "hardlink" => TarEntryKind.HardLink,
        "char" => TarEntryKind.CharacterDevice,
        "block" => TarEntryKind.BlockDevice,
        "fifo" => TarEntryKind.Fifo,
        _ => throw new TocInvalidException($"TOC entry {index} ('{entry.Name}') has unknown type '{(entry.Type.Length > 20 ? entry.Type[..20] : entry.Type)}'"),
    };

    private static TocFileRange RangeOf(TocFormat format, IReadOnlyList<TocEntry> entries, int index, long[]? starts, long dataEnd)
    {
        var entry = entries[index];
        var path = LayerPath.Normalise(entry.Name);
        if (entry.Size == 0)
        {
            return new TocFileRange(path, 0, 0, 0, 0, entry.Digest);
        }

        if (entry.Digest is null)
        {
            throw new TocInvalidException($"TOC entry {index} ('{entry.Name}') has data but no digest to verify it by");
        }

        long end;
        if (format == TocFormat.ZstdChunked)
        {
            end = entry.EndOffset;
        }
        else
        {
            // The file's last chunk is the last "chunk" entry following it with its name.
            var last = entry.Offset;
            for (var next = index + 1; next < entries.Count && entries[next].Type == "chunk"; next++)
            {
                if (entries[next].InnerOffset != 0)
                {
                    throw new TocInvalidException($"TOC entry {next} ('{entry.Name}') is a chunk inside a shared gzip member, which is not read by range");
                }

                last = Math.Max(last, entries[next].Offset);
            }

            var position = Array.BinarySearch(starts!, last);
            end = position >= 0 && position + 1 < starts!.Length ? starts[position + 1] : dataEnd;
        }

        if (entry.Offset <= 0 || end <= entry.Offset || end > dataEnd)
        {
            throw new TocInvalidException($"TOC entry {index} ('{entry.Name}') places its data at {entry.Offset}..{end}, outside the layer's data (0..{dataEnd})");
        }

        return new TocFileRange(path, entry.Offset, end, entry.InnerOffset, entry.Size, entry.Digest);
    }

    private static long[] DataStarts(IReadOnlyList<TocEntry> entries, long dataEnd)
    {
        var starts = new SortedSet<long>();
        foreach (var entry in entries)
        {
            if (entry.Offset > 0)
            {
                starts.Add(entry.Offset);
            }
        }

        starts.Add(dataEnd);
        return [.. starts];
    }
}
