using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Tar;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.Hostile;

/// <summary>
/// Reads a layer blob as a scan does (decompression chosen by media type, tar reader, every entry's data read, the
/// rest drained so the digest is checked) and returns what it saw; the hostile and fuzz tests drive it.
/// </summary>
internal static class LayerDrive
{
    public static MediaType MediaTypeFor(string file) => Path.GetFileName(file) switch
    {
        var n when n.EndsWith(".gz", StringComparison.Ordinal) => MediaType.OciLayerGzip,
        var n when n.EndsWith(".zst", StringComparison.Ordinal) => MediaType.OciLayerZstd,
        _ => MediaType.OciLayerTar,
    };

    /// <summary>The entries read and the uncompressed bytes of their data.</summary>
    public static async Task<(List<LayerTarEntry> Entries, long DataBytes)> ReadAsync(byte[] blob, MediaType mediaType, LayerLimits? limits = null, CancellationToken cancellationToken = default)
    {
        var layer = new InMemoryLayer(blob, mediaType, maxReadSize: 64 * 1024);
        await using var tar = await LayerTarStream.OpenAsync(layer, cancellationToken);
        await using var reader = new LayerTarReader(tar.Tar, limits);
        var entries = new List<LayerTarEntry>();
        var buffer = new byte[64 * 1024];
        long dataBytes = 0;
        while (await reader.GetNextEntryAsync(cancellationToken) is { } entry)
        {
            entries.Add(entry);
            int read;
            while ((read = await reader.ReadDataAsync(buffer, cancellationToken)) > 0)
            {
                dataBytes += read;
            }
        }

        await tar.DrainAsync(buffer, cancellationToken);
        return (entries, dataBytes);
    }
}
