using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// Pushes a <see cref="ResolvedImage"/> from any source (a registry, an OCI layout, a <c>docker save</c> archive, an
/// appended image) to a registry: layers in parallel, then the config, then the manifest, sent byte for byte as the
/// image holds it. A layer the target already has is not sent; one from another repository of the same registry is
/// mounted; any other is streamed from its source (a registry layer is downloaded while it is uploaded) and
/// verified against its digest.
/// </summary>
public sealed class ImagePusher
{
    private readonly RegistryClient _client;
    private readonly ImagePusherOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a pusher that sends through <paramref name="client"/> (which needs push credentials for the target).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ImagePusherOptions.MaxParallelLayers"/> is less than 1.</exception>
    public ImagePusher(RegistryClient client, ImagePusherOptions? options = null, ILogger? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new ImagePusherOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxParallelLayers, 1, nameof(options));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Pushes <paramref name="image"/> to <paramref name="target"/> (a tag, or a digest that must be the image's).</summary>
    /// <returns>The manifest digest and what each blob took.</returns>
    /// <exception cref="ArgumentException">The image has no raw manifest or config bytes, they do not match its digests, or <paramref name="target"/> pins another digest.</exception>
    /// <exception cref="InvalidDataException">A layer read from its source does not match its digest or size.</exception>
    /// <exception cref="RegistryUnauthorizedException">The registry refused access (to the target, or to a layer's source).</exception>
    /// <exception cref="RegistryException">The registry refused a blob or the manifest, or could not be reached.</exception>
    public async Task<ImagePushResult> PushAsync(ResolvedImage image, ImageReference target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(target);
        var rawConfig = await image.Config.ReadBytesAsync(cancellationToken);
        Check(image, rawConfig, target);
        var layers = new BlobPush[image.Layers.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, layers.Length),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelLayers, CancellationToken = cancellationToken },
            async (i, token) => layers[i] = await PushLayerAsync(image.Layers[i], target, token));

        // The config and manifest go after every layer: a registry may refuse a manifest whose blobs it does not have yet.
        var config = image.Manifest.Config;
        var configPush = new BlobPush(config, BlobPushOutcome.AlreadyPresent);
        if (!await _client.BlobExistsAsync(target, config.Digest, cancellationToken))
        {
            await _client.UploadBlobAsync(target, config.Digest, config.Size, new MemoryBlobContent(rawConfig), cancellationToken);
            configPush = configPush with { Outcome = BlobPushOutcome.Uploaded };
        }

        var digest = await _client.PushManifestAsync(target, image.Manifest.MediaType, image.RawManifest.ToArray(), cancellationToken);
        var result = new ImagePushResult { Reference = target, Digest = digest, Blobs = [.. layers, configPush] };
        _logger.LogInformation(
            "Pushed {Image} to {Target}@{Digest}: {Uploaded} blob(s) uploaded ({Bytes} bytes), {Mounted} mounted, {Present} already present",
            image.Name, target, digest, result.Uploaded, result.BytesUploaded, result.Mounted, result.AlreadyPresent);
        return result;
    }

    private static void Check(ResolvedImage image, ReadOnlyMemory<byte> rawConfig, ImageReference target)
    {
        if (image.RawManifest.IsEmpty)
        {
            throw new ArgumentException($"{image.Name}: the image carries no raw manifest bytes; resolve it from a source or build it with ImageAppender.", nameof(image));
        }

        if (Digest.Sha256(image.RawManifest.Span) != image.Digest || Digest.Sha256(rawConfig.Span) != image.Manifest.Config.Digest)
        {
            throw new ArgumentException($"{image.Name}: the raw manifest or config bytes do not match the image's digests.", nameof(image));
        }

        if (target.Digest is { } pinned && pinned != image.Digest)
        {
            throw new ArgumentException($"{target} names digest {pinned}, but the image is {image.Digest}; push to a tag, or to the image's own digest.", nameof(target));
        }
    }

    private async Task<BlobPush> PushLayerAsync(ILayer layer, ImageReference target, CancellationToken cancellationToken)
    {
        var descriptor = layer.Descriptor;
        if (descriptor.MediaType.IsForeignLayer && descriptor.Urls.Count > 0)
        {
            return new BlobPush(descriptor, BlobPushOutcome.Foreign);
        }

        if (await _client.BlobExistsAsync(target, descriptor.Digest, cancellationToken))
        {
            _logger.LogDebug("Layer {Digest} is already in {Target}", descriptor.Digest, target.RepositoryName);
            return new BlobPush(descriptor, BlobPushOutcome.AlreadyPresent);
        }

        if (_options.MountFromSameRegistry && layer is IRegistryLayer { Repository: var source }
            && string.Equals(source.Registry, target.Registry, StringComparison.OrdinalIgnoreCase)
            && source.Repository != target.Repository
            && await _client.MountBlobAsync(target, descriptor.Digest, source, cancellationToken))
        {
            _logger.LogDebug("Layer {Digest} mounted from {Source} into {Target}", descriptor.Digest, source.RepositoryName, target.RepositoryName);
            return new BlobPush(descriptor, BlobPushOutcome.Mounted, source);
        }

        await using var content = new LayerBlobContent(layer);
        try
        {
            await _client.UploadBlobAsync(target, descriptor.Digest, descriptor.Size, content, cancellationToken);
        }
        catch (Exception e) when (content.Failure is { } failure && !ReferenceEquals(e, failure))
        {
            // The transport wraps what the body threw; what the caller needs is that the source's layer is corrupt.
            throw new InvalidDataException(failure.Message, failure);
        }

        _logger.LogDebug("Layer {Digest} uploaded to {Target} ({Size} bytes)", descriptor.Digest, target.RepositoryName, descriptor.Size);
        return new BlobPush(descriptor, BlobPushOutcome.Uploaded);
    }
}
