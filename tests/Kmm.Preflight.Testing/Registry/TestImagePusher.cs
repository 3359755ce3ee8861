using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Writing;

namespace Kmm.Preflight.Testing.Registry;

/// <summary>
/// Pushes test images with our own <see cref="RegistryClient"/>: layer blobs, a config, an OCI or Docker schema 2
/// manifest, and optionally an index (OCI or Docker manifest list) over several platforms. The JSON is written by the
/// library's <see cref="ImageConfigWriter"/> and <see cref="ManifestWriter"/>.
/// </summary>
public static class TestImagePusher
{
    /// <summary>Pushes a single-platform image and tags it as <paramref name="reference"/> says.</summary>
    /// <param name="client">The client (with push credentials).</param>
    /// <param name="reference">Where to push, e.g. <c>127.0.0.1:PORT/test/app:v1</c>.</param>
    /// <param name="layers">The layers, bottom first.</param>
    /// <param name="platform">The config's platform; default linux/amd64.</param>
    /// <param name="dockerSchema2">Docker schema 2 media types instead of OCI.</param>
    /// <param name="labels">Config labels.</param>
    /// <param name="cancellationToken">Cancels the push.</param>
    public static async Task<PushedImage> PushImageAsync(
        RegistryClient client,
        ImageReference reference,
        IReadOnlyList<TestLayer> layers,
        Platform? platform = null,
        bool dockerSchema2 = false,
        IReadOnlyDictionary<string, string>? labels = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(layers);
        platform ??= Platform.Default;
        foreach (var layer in layers)
        {
            await client.PushBlobAsync(reference, layer.Digest, layer.Content, cancellationToken);
        }

        var config = ImageConfigWriter.Write(platform, layers.Select(l => l.DiffId()).ToList(), new ImageConfigWriterOptions { Labels = labels ?? new Dictionary<string, string>() });
        var configDigest = Digest.Sha256(config);
        await client.PushBlobAsync(reference, configDigest, config, cancellationToken);

        var mediaType = dockerSchema2 ? MediaType.DockerManifest : MediaType.OciManifest;
        var manifest = ManifestWriter.WriteManifest(
            mediaType,
            Descriptor(dockerSchema2 ? MediaType.DockerConfig : MediaType.OciConfig, configDigest, config.Length),
            layers.Select(l => Descriptor(dockerSchema2 ? DockerLayerType(l.MediaType) : l.MediaType, l.Digest, l.Content.Length)).ToList());
        var digest = await client.PushManifestAsync(reference, mediaType, manifest, cancellationToken);
        return new PushedImage(reference, digest, mediaType, manifest) { Config = config };
    }

    /// <summary>Pushes one image per platform (by digest) and an index over them tagged as <paramref name="reference"/>.</summary>
    public static async Task<PushedImage> PushIndexAsync(
        RegistryClient client,
        ImageReference reference,
        IReadOnlyList<(Platform Platform, IReadOnlyList<TestLayer> Layers)> images,
        bool dockerManifestList = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(images);
        var untagged = ImageReference.Parse($"{reference.RepositoryName}:untagged");
        var pushed = new List<PushedImage>();
        foreach (var (platform, layers) in images)
        {
            // Push each platform manifest by digest: build it under a scratch tag first to learn the digest.
            var image = await PushImageAsync(client, untagged, layers, platform, dockerManifestList, cancellationToken: cancellationToken);
            pushed.Add(image with { Reference = ImageReference.Parse($"{reference.RepositoryName}@{image.Digest}") });
        }

        var mediaType = dockerManifestList ? MediaType.DockerManifestList : MediaType.OciIndex;
        var index = ManifestWriter.WriteIndex(
            mediaType,
            pushed.Zip(images, (image, entry) => Descriptor(image.MediaType, image.Digest, image.Manifest.Length) with { Platform = entry.Platform }).ToList());
        var digest = await client.PushManifestAsync(reference, mediaType, index, cancellationToken);
        return new PushedImage(reference, digest, mediaType, index) { Platforms = pushed };
    }

    /// <summary>Docker schema 2 knows only its own layer types: map the OCI ones.</summary>
    private static MediaType DockerLayerType(MediaType mediaType) =>
        mediaType == MediaType.OciLayerGzip ? MediaType.DockerLayerGzip
        : mediaType == MediaType.OciLayerTar ? new MediaType("application/vnd.docker.image.rootfs.diff.tar")
        : mediaType;

    private static Descriptor Descriptor(MediaType mediaType, Digest digest, long size) => new()
    {
        MediaType = mediaType,
        Digest = digest,
        Size = size,
    };
}
