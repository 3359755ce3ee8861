using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>One entry of a table of contents (not a <c>chunk</c>: those are folded into the entry they follow).</summary>
/// <param name="Index">Position in the TOC's <c>entries</c> array, chunks counted, for messages.</param>
/// <param name="Name">The tar name.</param>
/// <param name="Type"><c>dir</c>, <c>reg</c>, <c>symlink</c>, <c>hardlink</c>, <c>char</c>, <c>block</c> or <c>fifo</c>.</param>
/// <param name="Size">A regular file's size.</param>
/// <param name="LinkName">A link's target, as stored.</param>
/// <param name="Mode">Mode bits.</param>
/// <param name="Offset">Compressed offset of the (first) chunk of a regular file's data; 0 for none.</param>
/// <param name="EndOffset">zstd:chunked: end of the file's compressed data; 0 when absent.</param>
/// <param name="Digest">A regular file's content digest, when given.</param>
/// <param name="InnerOffset">eStargz: offset of the file's first chunk inside its gzip member (newer writers); 0 otherwise.</param>
/// <param name="LastChunkOffset">The largest <c>offset</c> of the <c>chunk</c> entries right after this one; <paramref name="Offset"/> when none.</param>
/// <param name="ChunkInSharedMember">Whether one of those chunks starts inside a gzip member (<c>innerOffset</c> not 0), so its range is not its own.</param>
internal sealed record TocEntry(
    int Index,
    string Name,
    string Type,
    long Size,
    string LinkName,
    int Mode,
    long Offset,
    long EndOffset,
    Sha256Hash? Digest,
    long InnerOffset,
    long LastChunkOffset,
    bool ChunkInSharedMember)
{
    /// <inheritdoc cref="TocEntry" path="/param[@name='Index']"/>
    /// <remarks>Settable so that a second half's entries, counted from 0 on their own thread, are rebased in place.</remarks>
    public int Index { get; set; } = Index;
}
