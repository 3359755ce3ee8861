using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// Builds a new image from a base image and layers on top, in memory: nothing is read from or written to any
/// registry. The result is a <see cref="ResolvedImage"/> like any source's, so it can be read
/// (<c>ImageFileSystem</c>), checked, pushed (<see cref="ImagePusher"/>) or saved (<see cref="OciLayoutWriter"/>).
/// </summary>
/// <remarks>
/// The base's config bytes are kept as they are, unknown fields included; only the new diff IDs and history entries
/// are inserted. The manifest stays in the base's family: a Docker schema 2 base gives a Docker schema 2 manifest
/// with Docker layer media types, an OCI base an OCI manifest. The base's layers are the base's own
/// <see cref="ILayer"/>s, read from their source only when something reads them.
/// </remarks>
public static class ImageAppender
{
    private static readonly MediaType DockerLayerTar = new("application/vnd.docker.image.rootfs.diff.tar");

    /// <summary>Appends <paramref name="layers"/> (bottom first) to <paramref name="baseImage"/>.</summary>
    /// <param name="baseImage">The image to extend, from any source.</param>
    /// <param name="layers">The new layers, bottom first; at least one.</param>
    /// <param name="createdBy">The <c>created_by</c> of the history entry added for each layer (what made it, e.g. <c>kmm-preflight sign</c>).</param>
    /// <param name="options">Time, manifest annotations, name.</param>
    /// <returns>The new image; its layers are the base's followed by <paramref name="layers"/>.</returns>
    /// <exception cref="ArgumentException">No layers; the base has no raw config or manifest bytes, or they do not match its digests; a zstd layer on a Docker schema 2 base; annotations on a Docker schema 2 base.</exception>
    /// <exception cref="InvalidDataException">The base config is not a JSON object, or holds <c>rootfs</c>/<c>history</c> repeated or of the wrong type.</exception>
    /// <param name="cancellationToken">Cancels reading the base's config, when it was not read yet.</param>
    public static async Task<ResolvedImage> AppendAsync(ResolvedImage baseImage, IReadOnlyList<WrittenLayer> layers, string createdBy, ImageAppendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseImage);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(createdBy);
        options ??= new ImageAppendOptions();
        if (layers.Count == 0)
        {
            throw new ArgumentException("no layers to append.", nameof(layers));
        }

        var baseConfig = await baseImage.Config.ReadBytesAsync(cancellationToken).ConfigureAwait(false);
        CheckRawBytes(baseImage, baseConfig);
        var docker = baseImage.Manifest.MediaType == MediaType.DockerManifest;
        var added = layers.Select(l => docker ? new RetypedLayer(l, DockerMediaType(l)) : (ILayer)l).ToList();
        var created = options.Created ?? options.TimeProvider.GetUtcNow();
        var config = ImageConfigWriter.AppendLayers(baseConfig.Span, layers.Select(l => l.DiffId).ToList(), createdBy, created);
        var configDescriptor = new Descriptor { MediaType = baseImage.Manifest.Config.MediaType, Digest = Digest.Sha256(config), Size = config.Length };
        // The very descriptor objects of the layers, so Layers[i].Descriptor is Manifest.Layers[i] as with every source.
        List<Descriptor> descriptors = [.. baseImage.Layers.Select(l => l.Descriptor), .. added.Select(l => l.Descriptor)];
        var manifest = ManifestWriter.WriteManifest(baseImage.Manifest.MediaType, configDescriptor, descriptors, options.ManifestAnnotations);
        var name = options.Name ?? $"{baseImage.Name} + {layers.Count} layer{(layers.Count == 1 ? string.Empty : "s")}";
        return new ResolvedImage
        {
            Name = name,
            Manifest = new ImageManifest
            {
                MediaType = baseImage.Manifest.MediaType,
                Config = configDescriptor,
                Layers = descriptors,
                Annotations = options.ManifestAnnotations,
                Digest = Digest.Sha256(manifest),
            },
            Config = new ImageConfigBlob(config, $"{name}: config"),
            Platform = baseImage.Platform,
            Layers = [.. baseImage.Layers, .. added],
            RawManifest = manifest,
        };
    }

    private static void CheckRawBytes(ResolvedImage image, ReadOnlyMemory<byte> rawConfig)
    {
        if (rawConfig.IsEmpty || image.RawManifest.IsEmpty)
        {
            throw new ArgumentException($"{image.Name}: the image carries no raw config or manifest bytes; resolve it from a source (registry, OCI layout, docker-archive).", nameof(image));
        }

        if (Digest.Sha256(rawConfig.Span) != image.Manifest.Config.Digest)
        {
            throw new ArgumentException($"{image.Name}: the raw config bytes do not have the config digest {image.Manifest.Config.Digest}.", nameof(image));
        }
    }

    // Docker schema 2 knows gzip and plain tar layers only.
    private static MediaType DockerMediaType(WrittenLayer layer) =>
        layer.Descriptor.MediaType == MediaType.OciLayerGzip ? MediaType.DockerLayerGzip
        : layer.Descriptor.MediaType == MediaType.OciLayerTar ? DockerLayerTar
        : throw new ArgumentException($"layer {layer.Descriptor.Digest} is {layer.Descriptor.MediaType}, which a Docker schema 2 image cannot hold; write it with gzip.", nameof(layer));
}
