using System.Net;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Oci.Registry.Transport;

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
        async Task<HttpResponseMessage> OpenAt(long from, CancellationToken token)
        {
            var response = await SendAsync(
                repository,
                new RegistryRequest
                {
                    Method = HttpMethod.Get,
                    Target = $"{RepositoryPath(repository)}/blobs/{digest}",
                    Scopes = [TokenScope.Pull(repository.Repository)],
                    Operation = operation,
                    RangeFrom = from > 0 ? from : null,
                },
                token);
            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    throw await RegistryErrorBody.CreateAsync(response, operation, token);
                }
            }

            return response;
        }

        var name = $"{repository.RepositoryName}@{digest}";
        var blob = await BlobStream.OpenAsync(OpenAt, digest, offset, BlobReadPolicy.From(Options), name, cancellationToken);
        return new DigestVerifyingStream(blob, digest, expectedSize, name, offset);
    }

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
