using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>Content-addressed blobs of an OCI layout, whether a directory or packed in a tar archive.</summary>
internal interface IBlobStore
{
    /// <summary>What the user named, for messages.</summary>
    string Name { get; }

    /// <summary>Reads a small blob (manifest, index, config) whole, verifying size and digest.</summary>
    /// <exception cref="InvalidDataException">The blob is missing, too large or does not match its descriptor.</exception>
    Task<byte[]> ReadBlobAsync(Descriptor descriptor, int maxBytes, CancellationToken cancellationToken);

    /// <summary>A layer backed by the blob <paramref name="descriptor"/> names.</summary>
    /// <exception cref="InvalidDataException">The blob is missing.</exception>
    ILayer OpenLayer(Descriptor descriptor);
}
