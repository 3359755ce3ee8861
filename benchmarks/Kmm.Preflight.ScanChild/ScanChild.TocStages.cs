using System.Diagnostics;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.ScanChild;

/// <summary>
/// <c>toc-stages FILE estargz|zstd-chunked [one-thread]</c>: the stages of a TOC lookup after the TOC is in memory,
/// timed once each in a fresh process (cold, as a real lookup runs them): parse, index, the range guess for the last
/// module (the fetch ahead), a point query from the entries on its path (twice), the whole tree.
/// </summary>
internal static class TocStages
{
    public static void Run(string file, string format, bool oneThread, Dictionary<string, object?> result)
    {
        var json = File.ReadAllBytes(file);
        var layer = Digest.Parse("sha256:" + new string('0', 64));
        var zstd = format == "zstd-chunked";
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        var listing = TocDocument.Parse(json, LayerLimits.Default, skipChunks: zstd, splitAllowed: !oneThread);
        result["parseMs"] = stopwatch.Elapsed.TotalMilliseconds;
        result["entries"] = listing.Entries.Count;
        result["secondHalves"] = TocDocument.SecondHalvesUsed;
        result["parseGcs"] = GC.CollectionCount(0);
        result["parseMb"] = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6;
        allocated = GC.GetTotalAllocatedBytes(precise: true);
        stopwatch.Restart();
        var (index, _) = TocIndexBuilder.Build(layer, zstd ? TocFormat.ZstdChunked : TocFormat.Estargz, listing, long.MaxValue / 2, 0);
        result["indexMs"] = stopwatch.Elapsed.TotalMilliseconds;
        result["indexMb"] = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6;
        var module = index.Entries.Last(e => e.Kind == LayerEntryKind.File).Path;
        stopwatch.Restart();
        var guess = TocRangeGuess.Find(json, module, zstd ? TocFormat.ZstdChunked : TocFormat.Estargz, long.MaxValue / 2);
        result["guessMs"] = stopwatch.Elapsed.TotalMilliseconds;
        result["guessFound"] = guess is not null;
        stopwatch.Restart();
        var found = PathOnlyLookup.TryResolve(index, 0, 0, module, followLast: true);
        result["pathOnlyMs"] = stopwatch.Elapsed.TotalMilliseconds;
        stopwatch.Restart();
        _ = PathOnlyLookup.TryResolve(index, 0, 0, module, followLast: true);
        result["pathOnlyAgainMs"] = stopwatch.Elapsed.TotalMilliseconds;
        result["pathOnlyFound"] = found?.Status.ToString();
        allocated = GC.GetTotalAllocatedBytes(precise: true);
        stopwatch.Restart();
        var tree = new MergedTree(0);
        tree.Apply(0, index);
        result["treeMs"] = stopwatch.Elapsed.TotalMilliseconds;
        result["treeMb"] = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6;
    }
}
