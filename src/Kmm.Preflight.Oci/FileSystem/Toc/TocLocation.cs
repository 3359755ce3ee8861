using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>Where a layer's table of contents is and what it must hash to, from the layer descriptor's annotations.</summary>
/// <param name="Format">The layer format.</param>
/// <param name="Digest">
/// eStargz: the digest of the uncompressed TOC JSON; zstd:chunked: the digest of the compressed TOC frame.
/// </param>
/// <param name="Offset">zstd:chunked: offset of the compressed TOC in the blob; eStargz: unknown (-1) until the footer is read.</param>
/// <param name="Length">zstd:chunked: compressed TOC length; eStargz: -1.</param>
/// <param name="UncompressedLength">zstd:chunked: uncompressed TOC length; eStargz: -1.</param>
/// <param name="AnnotationPrefix">The annotation family the location came from, for messages.</param>
internal sealed record TocLocation(TocFormat Format, Digest Digest, long Offset, long Length, long UncompressedLength, string AnnotationPrefix);
