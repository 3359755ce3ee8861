using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>One entry of a table of contents, the fields both formats share.</summary>
/// <param name="Name">The tar name.</param>
/// <param name="Type"><c>dir</c>, <c>reg</c>, <c>symlink</c>, <c>hardlink</c>, <c>char</c>, <c>block</c>, <c>fifo</c> or <c>chunk</c>.</param>
/// <param name="Size">A regular file's size.</param>
/// <param name="LinkName">A link's target, as stored.</param>
/// <param name="Mode">Mode bits.</param>
/// <param name="Offset">Compressed offset of the (first) chunk of a regular file's data, or of a chunk; 0 for none.</param>
/// <param name="EndOffset">zstd:chunked: end of the file's compressed data; 0 when absent.</param>
/// <param name="Digest">A regular file's content digest, when given.</param>
/// <param name="InnerOffset">eStargz: offset of a chunk inside its gzip member (newer writers); 0 otherwise.</param>
internal sealed record TocEntry(string Name, string Type, long Size, string LinkName, int Mode, long Offset, long EndOffset, Digest? Digest, long InnerOffset);
