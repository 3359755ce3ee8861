using System.Buffers;
using System.Text.Json;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// Writes a resolved image as a <c>docker save</c> archive (<c>manifest.json</c>, the config, the layer blobs as
/// stored), the format <c>POST /images/load</c> of dockerd and podman takes. The archive is streamed: each layer goes
/// from its source to <c>destination</c> once, with its digest checked on the way, so no temporary copy is made.
/// </summary>
/// <remarks>
/// Layers keep their compression (gzip or zstd); both engines decompress on load and check the config's
/// <c>diff_ids</c>. Entries are plain ustar (names are at most 77 characters), as the library's layers are written.
/// </remarks>
public static class DockerArchiveWriter
{
    private const int BlockSize = 512;

    /// <summary>Writes <paramref name="image"/>, tagged <paramref name="repoTags"/>, to <paramref name="destination"/>.</summary>
    /// <param name="image">The image; its config is read if it was not yet.</param>
    /// <param name="repoTags">The names the loaded image gets, e.g. <c>localhost/base:1</c>; may be empty.</param>
    /// <param name="destination">Where to write; left open.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="ArgumentException"><paramref name="image"/>'s config bytes do not match its manifest.</exception>
    /// <exception cref="InvalidDataException">A layer's bytes do not match its descriptor (size or digest).</exception>
    public static async Task WriteAsync(ResolvedImage image, IReadOnlyList<string> repoTags, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(repoTags);
        ArgumentNullException.ThrowIfNull(destination);
        var rawConfig = await image.Config.ReadBytesAsync(cancellationToken);
        if (References.Digest.Sha256(rawConfig.Span) != image.Manifest.Config.Digest)
        {
            throw new ArgumentException($"image {image.Name}: its config bytes do not have the manifest's config digest {image.Manifest.Config.Digest}, so it cannot be written as an archive", nameof(image));
        }

        var configName = $"blobs/{image.Manifest.Config.Digest.Algorithm}/{image.Manifest.Config.Digest.Hex}";
        await WriteEntryAsync(destination, configName, rawConfig, cancellationToken);
        var layerNames = new List<string>();
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in image.Layers)
        {
            var name = $"blobs/{layer.Descriptor.Digest.Algorithm}/{layer.Descriptor.Digest.Hex}";
            layerNames.Add(name);
            if (written.Add(name))
            {
                await WriteLayerAsync(destination, name, layer, cancellationToken);
            }
        }

        await WriteEntryAsync(destination, "manifest.json", ManifestJson(configName, repoTags, layerNames), cancellationToken);
        await destination.WriteAsync(new byte[BlockSize * 2], cancellationToken);
    }

    private static byte[] ManifestJson(string config, IReadOnlyList<string> repoTags, List<string> layers)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("Config", config);
            json.WriteStartArray("RepoTags");
            foreach (var tag in repoTags)
            {
                json.WriteStringValue(tag);
            }

            json.WriteEndArray();
            json.WriteStartArray("Layers");
            foreach (var layer in layers)
            {
                json.WriteStringValue(layer);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private static async Task WriteEntryAsync(Stream destination, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await destination.WriteAsync(Header(name, content.Length), cancellationToken);
        await destination.WriteAsync(content, cancellationToken);
        await destination.WriteAsync(new byte[Padding(content.Length)], cancellationToken);
    }

    private static async Task WriteLayerAsync(Stream destination, string name, Layers.ILayer layer, CancellationToken cancellationToken)
    {
        var size = layer.Descriptor.Size;
        await destination.WriteAsync(Header(name, size), cancellationToken);
        await using (var source = await layer.OpenAsync(0, cancellationToken))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
            try
            {
                long copied = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    copied += read;
                    if (copied > size)
                    {
                        throw new InvalidDataException($"layer {layer.Descriptor.Digest} is larger than its descriptor's {size} bytes");
                    }

                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                if (copied != size)
                {
                    throw new InvalidDataException($"layer {layer.Descriptor.Digest} ended after {copied} of its descriptor's {size} bytes");
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        await destination.WriteAsync(new byte[Padding(size)], cancellationToken);
    }

    private static int Padding(long size) => TarHeaderWriter.Padding(size);

    // The same headers as the library's layers: ustar, mode 0644, owner 0, mtime 0; PAX only for a size over 8 GiB.
    private static byte[] Header(string name, long size)
    {
        using var header = new MemoryStream(BlockSize);
        TarHeaderWriter.Write(header, TarHeaderWriter.RegularFile, name, null, size, 0x1A4, 0, 0, 0);
        return header.ToArray();
    }
}
