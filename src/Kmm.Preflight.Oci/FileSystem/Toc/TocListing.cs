namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>What a parsed TOC holds: its entries, chunks folded into their files, and where each piece of data starts.</summary>
/// <param name="Entries">The non-chunk entries, in TOC order.</param>
/// <param name="DataStarts">The <c>offset</c> of every entry and chunk that has one (not sorted, may repeat).</param>
internal sealed record TocListing(List<TocEntry> Entries, List<long> DataStarts);
