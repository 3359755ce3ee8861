using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Testing.Images;

/// <summary>
/// Writes images and indexes into an OCI image layout directory (<c>oci-layout</c>, <c>index.json</c>,
/// <c>blobs/sha256/…</c>), so <c>oci:DIR:TAG</c> names them and <c>skopeo copy oci:DIR:TAG docker://…</c> can push them.
/// An existing layout is appended to; a tag written again replaces its entry. Blobs and <c>index.json</c> are written by
/// the library (<see cref="Oci.Writing.OciLayoutWriter"/>: verified, atomic, merged); this class adds the test
/// builders' types (built images, indexes, layers streamed from a <see cref="LayerBuilder"/>).
/// </summary>
/// <example>
/// <code>
/// var writer = new OciLayoutWriter(dir);
/// var big = await writer.WriteLayerAsync(new LayerBuilder().AddTree("opt/lib/modules", tree), new LayerBlobOptions { Compression = LayerCompression.Zstd });
/// await writer.WriteImageAsync(new ImageBuilder().AddLayer(big).Build(), "v1");
/// </code>
/// </example>
public sealed class OciLayoutWriter
{
    /// <summary>The index.json annotation naming an entry's tag.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private static readonly MediaType AnyBlob = new("application/octet-stream");

    /// <summary>Creates (or opens, to append) the layout at <paramref name="directory"/>.</summary>
    public OciLayoutWriter(string directory)
    {
        Directory = directory ?? throw new ArgumentNullException(nameof(directory));
        Oci.Writing.OciLayoutWriter.CreateAsync(directory).GetAwaiter().GetResult();
    }

    /// <summary>The layout directory.</summary>
    public string Directory { get; }

    /// <summary>Where the blob <paramref name="digest"/> lives.</summary>
    public string BlobPath(Digest digest) => System.IO.Path.Combine(Directory, "blobs", digest.Algorithm, digest.Hex);

    /// <summary>Builds <paramref name="layer"/> streaming straight into the layout's blobs (for large layers).</summary>
    public async Task<LayerBlob> WriteLayerAsync(LayerBuilder layer, LayerBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var temporary = System.IO.Path.Combine(Directory, "blobs", $".tmp-{Guid.NewGuid():N}");
        var written = await layer.WriteToFileAsync(temporary, options, cancellationToken);
        var path = BlobPath(written.Digest);
        File.Move(temporary, path, overwrite: true);
        return new LayerBlob(written.Compression, written.Digest, written.Size, written.DiffId, written.UncompressedSize, null, path);
    }

    /// <summary>Stores a blob's bytes under its digest.</summary>
    public async Task WriteBlobAsync(Digest digest, byte[] content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var stream = new MemoryStream(content, writable: false);
        await Oci.Writing.OciLayoutWriter.WriteBlobAsync(Directory, new Descriptor { MediaType = AnyBlob, Digest = digest, Size = content.Length }, stream, cancellationToken);
    }

    /// <summary>Stores a layer blob (copied unless it is already in this layout).</summary>
    public async Task WriteBlobAsync(LayerBlob layer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        await using var source = layer.OpenRead();
        await Oci.Writing.OciLayoutWriter.WriteBlobAsync(Directory, new Descriptor { MediaType = AnyBlob, Digest = layer.Digest, Size = layer.Size }, source, cancellationToken);
    }

    /// <summary>Writes an image's blobs and lists its manifest in <c>index.json</c>, tagged <paramref name="tag"/> when given.</summary>
    /// <returns>The index.json entry.</returns>
    public async Task<Descriptor> WriteImageAsync(BuiltImage image, string? tag = null, CancellationToken cancellationToken = default)
    {
        await WriteImageBlobsAsync(image, cancellationToken);
        // Like skopeo, a single image's index.json entry carries no platform: readers take it from the config.
        return AddEntry(image.ManifestDescriptor with { Platform = null }, tag);
    }

    /// <summary>Writes an index, its images' blobs (nested indexes too) and lists it in <c>index.json</c>.</summary>
    /// <returns>The index.json entry.</returns>
    public async Task<Descriptor> WriteIndexAsync(BuiltIndex index, string? tag = null, CancellationToken cancellationToken = default)
    {
        await WriteIndexBlobsAsync(index, cancellationToken);
        return AddEntry(index.Descriptor, tag);
    }

    /// <summary>Lists <paramref name="descriptor"/> (whose blob is already written) in <c>index.json</c>.</summary>
    public Descriptor AddEntry(Descriptor descriptor, string? tag = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return Oci.Writing.OciLayoutWriter.AddIndexEntryAsync(Directory, descriptor, tag).GetAwaiter().GetResult();
    }

    private async Task WriteImageBlobsAsync(BuiltImage image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        foreach (var layer in image.Layers)
        {
            await WriteBlobAsync(layer, cancellationToken);
        }

        await WriteBlobAsync(image.ConfigDescriptor.Digest, image.Config, cancellationToken);
        await WriteBlobAsync(image.ManifestDescriptor.Digest, image.Manifest, cancellationToken);
    }

    private async Task WriteIndexBlobsAsync(BuiltIndex index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        foreach (var image in index.Images)
        {
            await WriteImageBlobsAsync(image, cancellationToken);
        }

        foreach (var nested in index.NestedIndexes)
        {
            await WriteIndexBlobsAsync(nested, cancellationToken);
        }

        await WriteBlobAsync(index.Descriptor.Digest, index.Content, cancellationToken);
    }
}
