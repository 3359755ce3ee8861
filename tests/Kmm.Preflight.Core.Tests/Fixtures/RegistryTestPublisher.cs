using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Core.Tests.Fixtures;

/// <summary>
/// Pushes what a stage publishes with one <see cref="RegistryClient"/> (layers, the raw config, the raw manifest,
/// unchanged), and records every push, so a test can tell that nothing was pushed.
/// </summary>
internal sealed class RegistryTestPublisher(RegistryClient client) : IImagePublisher
{
    private readonly List<PublishedImage> _pushed = [];

    public IReadOnlyList<PublishedImage> Pushed
    {
        get
        {
            lock (_pushed)
            {
                return [.. _pushed];
            }
        }
    }

    public async Task<PublishedImage> PushAsync(ResolvedImage image, ImageRequest reference, CancellationToken cancellationToken = default)
    {
        var target = ImageReference.Parse(reference.Reference);
        foreach (var layer in image.Layers)
        {
            await using var content = await layer.OpenAsync(0, cancellationToken);
            await client.PushBlobAsync(target, layer.Descriptor.Digest, content, layer.Descriptor.Size, cancellationToken);
        }

        await client.PushBlobAsync(target, image.Manifest.Config.Digest, await image.Config.ReadBytesAsync(cancellationToken), cancellationToken);
        var digest = await client.PushManifestAsync(target, image.Manifest.MediaType, image.RawManifest.ToArray(), cancellationToken);
        var published = new PublishedImage { Reference = reference.Reference, Digest = digest.ToString(), BlobsUploaded = image.Layers.Count + 1 };
        lock (_pushed)
        {
            _pushed.Add(published);
        }

        return published;
    }

    public Task<string?> SaveAsync(ResolvedImage image, string name, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);
}
