using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>Where a regular file's data is in a table-of-contents layer.</summary>
/// <param name="Path">The file's normalised path, for messages.</param>
/// <param name="Start">Offset of the first compressed byte (a gzip member or zstd frame start).</param>
/// <param name="End">Offset just past the last compressed byte needed.</param>
/// <param name="Skip">Uncompressed bytes before the file's data in the first member (eStargz with inner offsets).</param>
/// <param name="Size">The file's size.</param>
/// <param name="Digest">The digest its content must have; null only for an empty file.</param>
internal sealed record TocFileRange(string Path, long Start, long End, long Skip, long Size, Sha256Hash? Digest);
