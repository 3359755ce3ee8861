using System.Net;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Oci.Registry.Transport;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.Registry;

/// <content>Blobs: existence check and streamed, verified, resumable reads.</content>
public sealed partial class RegistryClient
{
    /// <summary>
    /// Opens a blob of <paramref name="repository"/> as a forward-only stream from <paramref name="offset"/>. Read
    /// to the end from offset 0, it verifies the digest and <paramref name="expectedSize"/> (negative: unknown) and
    /// throws <see cref="InvalidDataException"/> on a mismatch; a dropped connection is resumed with <c>Range</c>.
    /// </summary>
    /// <exception cref="RegistryNotFoundException">The blob does not exist.</exception>
    /// <exception cref="RegistryException">Any other registry or connection failure.</exception>
    public async Task<Stream> OpenBlobAsync(ImageReference repository, Digest digest, long expectedSize, long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (digest.IsEmpty)
        {
            throw new ArgumentException("digest is empty", nameof(digest));
        }

        var operation = $"fetching blob {digest} of {repository.RepositoryName}";
        Task<HttpResponseMessage> OpenAt(long from, CancellationToken token) => SendBlobGetAsync(repository, digest, from, operation, token);

        var name = $"{repository.RepositoryName}@{digest}";
        var blob = await BlobStream.OpenAsync(OpenAt, digest, offset, BlobReadPolicy.From(Options), name, cancellationToken);
        return new DigestVerifyingStream(blob, digest, expectedSize, name, offset);
    }

    /// <summary>
    /// GETs blob <paramref name="digest"/> from byte <paramref name="from"/>, through the storage URL the registry
    /// redirected an earlier GET of it to while that URL is valid; when storage refuses it (4xx: expired, revoked),
    /// asks the registry for a fresh redirect, once. <paramref name="to"/> bounds the range (inclusive) when given.
    /// Returns a successful response or throws.
    /// </summary>
    internal async Task<HttpResponseMessage> SendBlobGetAsync(ImageReference repository, Digest digest, long from, string operation, CancellationToken cancellationToken, long? to = null)
    {
        var request = new RegistryRequest
        {
            Method = HttpMethod.Get,
            Target = $"{RepositoryPath(repository)}/blobs/{digest}",
            Scopes = [TokenScope.Pull(repository.Repository)],
            Operation = operation,
            RangeFrom = from > 0 || to is not null ? from : null,
            RangeTo = to,
        };
        var key = $"{repository.ApiHost}/{repository.Repository}@{digest}";
        if (BlobLocations.Get(key) is { } storage)
        {
            var direct = await SendAsync(repository, request with { Target = storage.AbsoluteUri }, cancellationToken);
            if (direct.IsSuccessStatusCode)
            {
                return direct;
            }

            if (!IsRefusedLocation(direct.StatusCode))
            {
                using (direct)
                {
                    throw await RegistryErrorBody.CreateAsync(direct, operation, cancellationToken);
                }
            }

            _logger.LogDebug("Storage refused {Uri} ({Status}); asking {Registry} for a fresh redirect", RegistryTransport.Redacted(storage), (int)direct.StatusCode, repository.Registry);
            direct.Dispose();
            BlobLocations.Forget(key);
        }

        var response = await SendAsync(repository, request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await RegistryErrorBody.CreateAsync(response, operation, cancellationToken);
            }
        }

        if (response.RequestMessage?.RequestUri is { } served && !string.Equals(served.Authority, repository.ApiHost, StringComparison.OrdinalIgnoreCase))
        {
            BlobLocations.Remember(key, served);
        }

        return response;
    }

    private BlobLocations BlobLocations => LazyInitializer.EnsureInitialized(ref _blobLocations, () => new BlobLocations(Options.TimeProvider));

    private BlobLocations? _blobLocations;

    /// <summary>Storage answers that mean "this URL no longer works" (S3 403, GCS 400, 401, 404, 410), not "this range is wrong".</summary>
    private static bool IsRefusedLocation(HttpStatusCode status) =>
        (int)status is >= 400 and < 500 && status is not HttpStatusCode.RequestedRangeNotSatisfiable and not HttpStatusCode.TooManyRequests and not HttpStatusCode.RequestTimeout;

    /// <summary>Whether <paramref name="repository"/> has the blob <paramref name="digest"/> (HEAD).</summary>
    /// <exception cref="RegistryException">The registry answered something other than 200 or 404.</exception>
    public async Task<bool> BlobExistsAsync(ImageReference repository, Digest digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var operation = $"checking blob {digest} in {repository.RepositoryName}";
        using var response = await SendAsync(
            repository,
            new RegistryRequest
            {
                Method = HttpMethod.Head,
                Target = $"{RepositoryPath(repository)}/blobs/{digest}",
                Scopes = [TokenScope.Pull(repository.Repository)],
                Operation = operation,
            },
            cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await RegistryErrorBody.EnsureSuccessAsync(response, operation, cancellationToken);
        return true;
    }
}
