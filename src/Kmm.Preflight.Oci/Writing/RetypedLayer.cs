using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// A layer under another media type for the same bytes: a written OCI gzip layer listed in a Docker schema 2 image
/// is a Docker gzip layer there.
/// </summary>
internal sealed class RetypedLayer(ILayer inner, MediaType mediaType) : ILayer
{
    public Descriptor Descriptor { get; } = inner.Descriptor with { MediaType = mediaType };

    public Task<Stream> OpenAsync(long offset = 0, CancellationToken cancellationToken = default) => inner.OpenAsync(offset, cancellationToken);
}
