using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Oci.Sources.Layout;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// Saves a <see cref="ResolvedImage"/> from any source into an OCI image layout directory (<c>oci-layout</c>,
/// <c>index.json</c>, <c>blobs/sha256/…</c>) under a tag, so <c>oci:DIR:TAG</c> names it for this tool, skopeo,
/// umoci or podman. Layers are fetched through their <see cref="ILayer"/> and verified; blobs already in the
/// directory are kept. A directory that already holds images keeps them (same tag: the entry is replaced).
/// </summary>
/// <remarks>
/// A Docker schema 2 image is stored as skopeo stores it in a layout: with an OCI manifest over the same config and
/// layer bytes (OCI layout readers look only for OCI manifests), so its digest in the layout differs from the
/// image's; the returned entry gives it.
/// 
/// Every file is written to a temporary name and renamed, so a reader never sees a partial blob or index. Writers in
/// one process are serialised per directory; several processes writing one directory at once may lose an index entry.
/// </remarks>
public static class OciLayoutWriter
{
    private const int MaxParallelLayers = 3;

    /// <summary>Writes <paramref name="image"/>'s blobs into <paramref name="directory"/> (created if missing) and tags it <paramref name="tag"/>.</summary>
    /// <returns>The <c>index.json</c> entry (manifest descriptor with the <c>org.opencontainers.image.ref.name</c> annotation): the image's digest, or for a Docker schema 2 image that of its OCI manifest.</returns>
    /// <exception cref="ArgumentException">The tag is empty, or the image has no raw manifest bytes.</exception>
    /// <exception cref="InvalidDataException">A layer read from its source does not match its digest or size; the directory holds an invalid <c>oci-layout</c> or <c>index.json</c>.</exception>
    /// <exception cref="IOException">The directory cannot be written.</exception>
    /// <exception cref="Registry.RegistryException">A layer read from a registry could not be fetched.</exception>
    public static async Task<Descriptor> WriteAsync(ResolvedImage image, string directory, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (image.RawManifest.IsEmpty)
        {
            throw new ArgumentException($"{image.Name}: the image carries no raw manifest bytes; resolve it from a source or build it with ImageAppender.", nameof(image));
        }

        var rawConfig = await image.Config.ReadBytesAsync(cancellationToken);
        image = OciManifestConversion.ToOci(image);
        await CreateAsync(directory, cancellationToken);
        await Parallel.ForEachAsync(
            image.Layers.Where(l => !(l.Descriptor.MediaType.IsForeignLayer && l.Descriptor.Urls.Count > 0)),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelLayers, CancellationToken = cancellationToken },
            async (layer, token) => await WriteLayerAsync(directory, layer, token));
        await WriteSmallBlobAsync(directory, image.Manifest.Config, rawConfig, cancellationToken);
        var manifest = new Descriptor { MediaType = image.Manifest.MediaType, Digest = image.Digest, Size = image.RawManifest.Length };
        await WriteSmallBlobAsync(directory, manifest, image.RawManifest, cancellationToken);
        return await AddIndexEntryAsync(directory, manifest, tag, cancellationToken);
    }

    /// <summary>
    /// Makes <paramref name="directory"/> an OCI layout if it is not one yet (<c>oci-layout</c>, an empty <c>index.json</c>,
    /// <c>blobs/sha256</c>): the building block for writing blobs and entries one by one (indexes, several platforms).
    /// </summary>
    /// <exception cref="InvalidDataException">An existing <c>oci-layout</c> is invalid or of an unsupported version.</exception>
    /// <exception cref="IOException">The directory cannot be written.</exception>
    public static async Task CreateAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        await WriteLayoutFileAsync(directory, cancellationToken);
        await OciLayoutIndex.EnsureAsync(directory, cancellationToken);
    }

    /// <summary>Stores <paramref name="content"/> (read to its end) as the blob <paramref name="descriptor"/> names, verified; a blob already present is kept.</summary>
    /// <exception cref="InvalidDataException">The content does not match the descriptor's digest or size; nothing is stored.</exception>
    /// <exception cref="IOException">The directory cannot be written.</exception>
    public static async Task WriteBlobAsync(string directory, Descriptor descriptor, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(content);
        await CreateAsync(directory, cancellationToken);
        await WriteBlobFromAsync(directory, descriptor, _ => Task.FromResult(content), leaveOpen: true, cancellationToken);
    }

    /// <summary>
    /// Lists <paramref name="manifest"/> (a manifest or index whose blobs are already stored) in <c>index.json</c>,
    /// tagged <paramref name="tag"/> (replacing that tag's entry) or untagged when null.
    /// </summary>
    /// <returns>The entry as written.</returns>
    /// <exception cref="InvalidDataException">The existing <c>index.json</c> or <c>oci-layout</c> is invalid.</exception>
    /// <exception cref="IOException">The directory cannot be written.</exception>
    public static async Task<Descriptor> AddIndexEntryAsync(string directory, Descriptor manifest, string? tag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(manifest);
        await CreateAsync(directory, cancellationToken);
        var entry = tag is null
            ? manifest
            : manifest with { Annotations = new Dictionary<string, string>(manifest.Annotations) { [OciLayoutResolver.RefNameAnnotation] = tag } };
        await OciLayoutIndex.AddAsync(directory, entry, tag, cancellationToken);
        return entry;
    }

    private static async Task WriteLayoutFileAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "oci-layout");
        if (File.Exists(path))
        {
            OciLayoutFile.Check(await File.ReadAllBytesAsync(path, cancellationToken), path);
            return;
        }

        await AtomicFile.WriteAsync(path, "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray(), cancellationToken);
    }

    private static Task WriteLayerAsync(string directory, ILayer layer, CancellationToken cancellationToken) =>
        WriteBlobFromAsync(directory, layer.Descriptor, token => layer.OpenAsync(0, token), leaveOpen: false, cancellationToken);

    private static async Task WriteBlobFromAsync(string directory, Descriptor descriptor, Func<CancellationToken, Task<Stream>> open, bool leaveOpen, CancellationToken cancellationToken)
    {
        var path = BlobPath(directory, descriptor.Digest);
        if (IsPresent(path, descriptor))
        {
            return;
        }

        await AtomicFile.WriteAsync(path, async (file, token) =>
        {
            // Verified here too, not only by the source's stream: whatever ILayer this is, a blob is never stored under a digest it does not have.
            var source = await open(token);
            await using var verified = new DigestVerifyingStream(leaveOpen ? new NonDisposingStream(source, long.MaxValue) : source, descriptor.Digest, descriptor.Size, $"blob {descriptor.Digest}");
            await verified.CopyToAsync(file, token);
        }, cancellationToken);
    }

    private static async Task WriteSmallBlobAsync(string directory, Descriptor descriptor, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        DigestVerifier.Verify(content.Span, descriptor, $"{descriptor.Digest}");
        var path = BlobPath(directory, descriptor.Digest);
        if (!IsPresent(path, descriptor))
        {
            await AtomicFile.WriteAsync(path, content, cancellationToken);
        }
    }

    // Blobs are content-addressed and only ever renamed into place whole: one of the right size is the right one.
    private static bool IsPresent(string path, Descriptor descriptor) => File.Exists(path) && new FileInfo(path).Length == descriptor.Size;

    private static string BlobPath(string directory, Digest digest)
    {
        var folder = Path.Combine(directory, "blobs", digest.Algorithm);
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, digest.Hex);
    }
}
