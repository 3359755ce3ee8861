using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>A layer blob read from a registry on demand.</summary>
internal sealed class RegistryLayer(RegistryClient client, ImageReference repository, Descriptor descriptor) : ILayer
{
    /// <inheritdoc />
    public Descriptor Descriptor => descriptor;

    /// <inheritdoc />
    public Task<Stream> OpenAsync(long offset = 0, CancellationToken cancellationToken = default) =>
        client.OpenBlobAsync(repository, descriptor.Digest, descriptor.Size, offset, cancellationToken);
}
