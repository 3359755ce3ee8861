using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// One layer of an image, whatever source it comes from (registry, OCI layout, archive).
/// </summary>
public interface ILayer
{
    /// <summary>The layer's descriptor from the manifest (media type, digest, size, annotations).</summary>
    Descriptor Descriptor { get; }

    /// <summary>
    /// Opens the layer blob as stored (compressed as its media type says), from <paramref name="offset"/>.
    /// The stream is forward-only; when read to the end from offset 0 it verifies the blob's digest and size and
    /// throws <see cref="InvalidDataException"/> on a mismatch.
    /// </summary>
    Task<Stream> OpenAsync(long offset = 0, CancellationToken cancellationToken = default);
}
