using System.Formats.Tar;
using System.Text.Json;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Writing;

namespace Kmm.Preflight.Testing.Images;

/// <summary>
/// Writes built images as a <c>docker save</c> archive in one of the shapes Docker produces. Layer blobs are stored
/// as built (raw, gzip or zstd), so both the raw layers Docker writes and compressed ones can be tested.
/// </summary>
/// <example>
/// <code>
/// await DockerArchiveWriter.WriteAsync(file, [(image, ["example.com/drivers:v1"])], DockerArchiveStyle.Legacy);
/// </code>
/// </example>
public static class DockerArchiveWriter
{
    /// <summary>Writes <paramref name="images"/>, each under its repo tags, to <paramref name="file"/>.</summary>
    public static async Task WriteAsync(
        string file, IReadOnlyList<(BuiltImage Image, IReadOnlyList<string> RepoTags)> images, DockerArchiveStyle style, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        await using var stream = File.Create(file);
        await using var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: false);
        var written = new HashSet<string>(StringComparer.Ordinal);
        var manifest = new List<(string Config, IReadOnlyList<string> Tags, List<string> Layers)>();
        var oci = style != DockerArchiveStyle.Legacy;
        if (oci)
        {
            await WriteFileAsync(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray(), cancellationToken);
            await WriteDirectoryAsync(tar, "blobs/", cancellationToken);
            await WriteDirectoryAsync(tar, "blobs/sha256/", cancellationToken);
        }

        foreach (var (image, tags) in images)
        {
            var layers = new List<string>();
            foreach (var layer in image.Layers)
            {
                var blobName = $"blobs/sha256/{layer.Digest.Hex}";
                var legacyName = $"{layer.DiffId.Hex}/layer.tar";
                if (oci && written.Add(blobName))
                {
                    await WriteBlobAsync(tar, blobName, layer, cancellationToken);
                }

                if (style == DockerArchiveStyle.OciLayoutWithLegacyLinks && written.Add(legacyName))
                {
                    await WriteDirectoryAsync(tar, $"{layer.DiffId.Hex}/", cancellationToken);
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, legacyName) { LinkName = $"../{blobName}" }, cancellationToken);
                }

                if (style == DockerArchiveStyle.Legacy && written.Add(legacyName))
                {
                    await WriteDirectoryAsync(tar, $"{layer.DiffId.Hex}/", cancellationToken);
                    await WriteBlobAsync(tar, legacyName, layer, cancellationToken);
                }

                layers.Add(style == DockerArchiveStyle.OciLayout ? blobName : legacyName);
            }

            var configName = oci ? $"blobs/sha256/{image.ConfigDescriptor.Digest.Hex}" : $"{image.ConfigDescriptor.Digest.Hex}.json";
            if (written.Add(configName))
            {
                await WriteFileAsync(tar, configName, image.Config, cancellationToken);
            }

            if (oci && written.Add($"blobs/sha256/{image.ManifestDescriptor.Digest.Hex}"))
            {
                await WriteFileAsync(tar, $"blobs/sha256/{image.ManifestDescriptor.Digest.Hex}", image.Manifest, cancellationToken);
            }

            manifest.Add((configName, tags, layers));
        }

        if (oci)
        {
            var index = ManifestWriter.WriteIndex(MediaType.OciIndex, images.Select(entry =>
            {
                var (image, tags) = entry;
                var annotations = tags.Count == 0
                    ? new Dictionary<string, string>()
                    : new Dictionary<string, string> { ["io.containerd.image.name"] = tags[0], [OciLayoutWriter.RefNameAnnotation] = TagOf(tags[0]) };
                return image.ManifestDescriptor with { Platform = null, Annotations = annotations };
            }).ToList());
            await WriteFileAsync(tar, "index.json", index, cancellationToken);
        }

        var manifestJson = JsonSerializer.SerializeToUtf8Bytes(manifest.Select(m => new Dictionary<string, object>
        {
            ["Config"] = m.Config,
            ["RepoTags"] = m.Tags,
            ["Layers"] = m.Layers,
        }).ToList());
        await WriteFileAsync(tar, "manifest.json", manifestJson, cancellationToken);
    }

    private static string TagOf(string reference)
    {
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? reference[(colon + 1)..] : "latest";
    }

    private static async Task WriteBlobAsync(TarWriter tar, string name, LayerBlob layer, CancellationToken cancellationToken)
    {
        await using var data = layer.OpenRead();
        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data }, cancellationToken);
    }

    private static async Task WriteFileAsync(TarWriter tar, string name, byte[] content, CancellationToken cancellationToken)
    {
        await using var data = new MemoryStream(content, writable: false);
        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data }, cancellationToken);
    }

    private static Task WriteDirectoryAsync(TarWriter tar, string name, CancellationToken cancellationToken)
        => tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name), cancellationToken);
}
