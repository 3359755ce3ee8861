using System.Globalization;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>Recognises table-of-contents layers by their descriptor annotations.</summary>
internal static class TocAnnotations
{
    /// <summary>eStargz: sha256 of the uncompressed TOC JSON.</summary>
    public const string EstargzTocDigest = "containerd.io/snapshot/stargz/toc.digest";

    /// <summary>The current zstd:chunked annotation family (containers/storage 1.45+).</summary>
    public const string ZstdChunkedPrefix = "io.github.containers.zstd-chunked.";

    /// <summary>The older family, which skopeo 1.9 writes.</summary>
    public const string ZstdChunkedLegacyPrefix = "io.containers.zstd-chunked.";

    private const string ManifestChecksum = "manifest-checksum";
    private const string ManifestPosition = "manifest-position";

    // Files eStargz adds for its own use; a runtime with the stargz snapshotter never shows them.
    private static readonly HashSet<string> EstargzHidden = new(StringComparer.Ordinal) { "stargz.index.json", ".prefetch.landmark", ".no.prefetch.landmark" };

    /// <summary>Whether <paramref name="descriptor"/> is an eStargz layer.</summary>
    public static bool IsEstargz(Descriptor descriptor) => descriptor.Annotations.ContainsKey(EstargzTocDigest);

    /// <summary>Whether <paramref name="descriptor"/> announces a table of contents (well-formed or not).</summary>
    public static bool Announces(Descriptor descriptor) => IsEstargz(descriptor)
        || descriptor.Annotations.ContainsKey(ZstdChunkedPrefix + ManifestPosition)
        || descriptor.Annotations.ContainsKey(ZstdChunkedLegacyPrefix + ManifestPosition);

    /// <summary>Whether <paramref name="normalisedPath"/> is one of eStargz's own files, hidden from the merged view.</summary>
    public static bool IsEstargzHidden(string normalisedPath) => EstargzHidden.Contains(normalisedPath);

    /// <summary>The TOC location announced by <paramref name="descriptor"/>, or null when it announces none.</summary>
    /// <exception cref="TocInvalidException">The annotations are present but malformed.</exception>
    public static TocLocation? Find(Descriptor descriptor)
    {
        var annotations = descriptor.Annotations;
        foreach (var prefix in (string[])[ZstdChunkedPrefix, ZstdChunkedLegacyPrefix])
        {
            if (annotations.TryGetValue(prefix + ManifestPosition, out var position))
            {
                return ParseZstdChunked(descriptor, prefix, position, annotations.GetValueOrDefault(prefix + ManifestChecksum));
            }
        }

        if (annotations.TryGetValue(EstargzTocDigest, out var tocDigest))
        {
            return new TocLocation(TocFormat.Estargz, ParseDigest(tocDigest, EstargzTocDigest), -1, -1, -1, EstargzTocDigest);
        }

        return null;
    }

    private static TocLocation ParseZstdChunked(Descriptor descriptor, string prefix, string position, string? checksum)
    {
        if (checksum is null)
        {
            throw new TocInvalidException($"annotation {prefix}{ManifestPosition} without {prefix}{ManifestChecksum}");
        }

        // offset:length:uncompressedLength:manifestType, manifest type 1 being the zstd:chunked TOC.
        var parts = position.Split(':');
        if (parts.Length != 4
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uncompressed)
            || parts[3] != "1")
        {
            throw new TocInvalidException($"annotation {prefix}{ManifestPosition} is '{Shorten(position)}', not offset:length:uncompressedLength:1");
        }

        if (length <= 0 || uncompressed <= 0 || offset > descriptor.Size - length)
        {
            throw new TocInvalidException($"annotation {prefix}{ManifestPosition} places the TOC at {offset}+{length}, outside the {descriptor.Size}-byte blob");
        }

        return new TocLocation(TocFormat.ZstdChunked, ParseDigest(checksum, prefix + ManifestChecksum), offset, length, uncompressed, prefix);
    }

    private static Digest ParseDigest(string value, string annotation)
    {
        if (!Digest.TryParse(value, out var digest) || digest.Algorithm != "sha256")
        {
            throw new TocInvalidException($"annotation {annotation} is '{Shorten(value)}', not a sha256 digest");
        }

        return digest;
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
