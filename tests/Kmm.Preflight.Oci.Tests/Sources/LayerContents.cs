using System.Formats.Tar;
using System.IO.Compression;
using Kmm.Preflight.Oci.Layers;
using ZstdSharp;

namespace Kmm.Preflight.Oci.Tests.Sources;

/// <summary>Reads a layer from a source to its end (so its digest is verified) and returns its tar entries.</summary>
internal static class LayerContents
{
    public static async Task<Dictionary<string, byte[]>> ReadAsync(ILayer layer)
    {
        await using var blob = await layer.OpenAsync();
        var media = layer.Descriptor.MediaType.Value;
        await using Stream tar = media.EndsWith("gzip", StringComparison.Ordinal) ? new GZipStream(blob, CompressionMode.Decompress)
            : media.EndsWith("zstd", StringComparison.Ordinal) ? new DecompressionStream(blob)
            : blob;
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (var reader = new TarReader(tar, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                var name = string.Join('/', entry.Name.Split('/').Where(p => p.Length > 0 && p != "."));
                using var content = new MemoryStream();
                if (entry.DataStream is not null)
                {
                    await entry.DataStream.CopyToAsync(content);
                }

                entries[name] = content.ToArray();
            }
        }

        // Drain what follows the tar's end blocks, so the blob is read to its end and verified.
        await blob.CopyToAsync(Stream.Null);
        return entries;
    }

    public static async Task DrainAsync(ILayer layer)
    {
        await using var blob = await layer.OpenAsync();
        await blob.CopyToAsync(Stream.Null);
    }
}
