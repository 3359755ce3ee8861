using Kmm.Preflight.Oci.References;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// A registry v2 / OCI distribution API client: challenge-driven auth, manifests, streamed blobs, push.
/// Thread-safe; one instance per set of options.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    /// <summary>Creates a client.</summary>
    public RegistryClient(RegistryClientOptions? options = null, ILogger? logger = null)
    {
        Options = options ?? new RegistryClientOptions();
        _ = logger;
    }

    /// <summary>The options.</summary>
    public RegistryClientOptions Options { get; }

    /// <summary>Fetches a manifest or index as bytes with its media type and computed digest.</summary>
    public Task<ManifestResponse> GetManifestAsync(ImageReference reference, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Opens a blob of <paramref name="repository"/> as a stream; verified when read to the end.</summary>
    public Task<Stream> OpenBlobAsync(ImageReference repository, Digest digest, long expectedSize, long offset = 0, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
