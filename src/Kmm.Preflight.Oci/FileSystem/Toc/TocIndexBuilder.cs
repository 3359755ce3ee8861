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

        // A file's data offset is its place among the regular files, so each half knows where its files start.
        var fileCount = 0;
        var uncompressed = 0L;
        var firstHalfFiles = 0;
        var half = entries.Count / 2;
        var hardlinks = false;
        for (var i = 0; i < entries.Count; i++)
        {
            hardlinks |= entries[i].Type == "hardlink";
            if (entries[i].Type == "reg")
            {
                fileCount++;
                uncompressed += entries[i].Size;
                firstHalfFiles += i < half ? 1 : 0;
            }
        }

        var classified = new LayerIndexEntry?[entries.Count];
        var files = new TocFileRange[fileCount];
        var run = new ClassifyRun(format, entries, starts, dataEnd, classified, files);
        if (entries.Count >= ParallelThreshold && Environment.ProcessorCount > 1)
        {
            // Each entry is classified on its own: two halves at once, the first error (by position) reported as one
            // pass would report it. The second half goes to a ready thread: on the pool it waited 0.7 ms (median of 30
            // stamped lookups) for a worker, the pool's being busy with the lookup's requests.
            var second = Threading.ReadyThreads.Run(() =>
            {
                run.Classify(half, entries.Count, firstHalfFiles);
                return true;
            });
            try
            {
                run.Classify(0, half, 0);
            }
            catch (Exception)
            {
                // The first half's error comes first; the second half is only waited for.
                try
                {
                    second.Wait();
                }
                catch (AggregateException)
                {
                }

                throw;
            }

            second.GetAwaiter().GetResult();
        }
        else
        {
            run.Classify(0, entries.Count, 0);
        }

        var indexEntries = new List<LayerIndexEntry>(entries.Count);

        // Files are tracked by path only for hard links to find their targets: without any, the map is never read.
        var byPath = hardlinks ? new Dictionary<string, LayerIndexEntry>(entries.Count, StringComparer.Ordinal) : null;
        foreach (var indexed in classified)
        {
            if (indexed is not null)
            {
                indexEntries.Add(byPath is null ? indexed : LayerIndexer.TrackFiles(byPath, indexed));
            }
        }

        indexEntries.TrimExcess();
        var toc = new TableOfContents(format, files, bytesRead, tocDigest);
        return (new LayerIndex(layer, indexEntries, uncompressed) { Toc = toc }, toc);
    }

    /// <summary>Below this many entries one thread classifies them all: starting another costs more than it saves.</summary>
    internal static int ParallelThreshold { get; set; } = 2048;

    /// <summary>Classifies ranges of the entries into shared arrays (each range writes only its own slots).</summary>
    private sealed class ClassifyRun(TocFormat format, List<TocEntry> entries, long[]? starts, long dataEnd, LayerIndexEntry?[] classified, TocFileRange[] files)
    {
        public void Classify(int from, int to, int firstFile)
        {
            var fileIndex = firstFile;
            for (var i = from; i < to; i++)
            {
                var entry = entries[i];
                var kind = KindOf(entry);
                var path = LayerPath.Normalise(entry.Name);
                var dataOffset = 0L;
                if (kind == TarEntryKind.RegularFile)
                {
                    dataOffset = fileIndex;
                    files[fileIndex++] = RangeOf(format, entry, path, starts, dataEnd);
                }

                if (LayerIndexer.Classify(path, kind, kind == TarEntryKind.RegularFile ? entry.Size : 0, entry.LinkName, entry.Mode, dataOffset) is { } indexed
                    && !(format == TocFormat.Estargz && TocAnnotations.IsEstargzHidden(indexed.Path)))
                {
                    classified[i] = indexed;
                }
            }
        }
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
        // Sorted and without repeats: a file's first chunk repeats the file's offset. Writers lay the data out in TOC
        // order, so the offsets usually come sorted already, and checking that is cheaper than sorting.
        var starts = new long[offsets.Count + 1];
        offsets.CopyTo(starts);
        starts[^1] = dataEnd;
        if (!IsSorted(starts))
        {
            Array.Sort(starts);
        }

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

    private static bool IsSorted(long[] values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] < values[i - 1])
            {
                return false;
            }
        }

        return true;
    }
}
