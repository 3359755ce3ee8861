using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>An image in a registry, read through the distribution API.</summary>
public sealed class RegistryImageSource : IImageSource
{
    private readonly RegistryClient _client;

    /// <summary>Creates a source for <paramref name="reference"/>.</summary>
    public RegistryImageSource(RegistryClient client, ImageReference reference)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        Reference = reference ?? throw new ArgumentNullException(nameof(reference));
    }

    /// <summary>The reference.</summary>
    public ImageReference Reference { get; }

    /// <inheritdoc />
    public string Name => Reference.ToString();

    /// <inheritdoc />
    public Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();
}
