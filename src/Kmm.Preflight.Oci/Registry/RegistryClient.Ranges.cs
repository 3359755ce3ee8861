using System.Net;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Oci.Registry.Transport;

namespace Kmm.Preflight.Oci.Registry;

/// <content>Blobs: ranged reads, for table-of-contents layers.</content>
public sealed partial class RegistryClient
{
    /// <summary>
    /// Opens bytes <c>[start, start + length)</c> of a blob with one <c>Range</c> GET. Not verified (a piece has no
    /// digest); not resumed (pieces are small: the caller asks again or streams the whole blob).
    /// </summary>
    /// <exception cref="RangeIgnoredException">The registry (or a proxy) answered 200 with the whole blob.</exception>
    /// <exception cref="RegistryNotFoundException">The blob does not exist.</exception>
    /// <exception cref="RegistryException">Any other registry or connection failure.</exception>
    /// <exception cref="InvalidDataException">The registry answered a different range.</exception>
    internal async Task<Stream> OpenBlobRangeAsync(ImageReference repository, Digest digest, long start, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var operation = $"fetching bytes {start}-{start + length - 1} of blob {digest} of {repository.RepositoryName}";
        var response = await SendAsync(
            repository,
            new RegistryRequest
            {
                Method = HttpMethod.Get,
                Target = $"{RepositoryPath(repository)}/blobs/{digest}",
                Scopes = [TokenScope.Pull(repository.Repository)],
                Operation = operation,
                RangeFrom = start,
                RangeTo = start + length - 1,
            },
            cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode == HttpStatusCode.OK)
            {
                throw new RangeIgnoredException($"{repository.RepositoryName}@{digest}: the registry ignored Range (answered 200 with the whole blob)");
            }

            if (response.StatusCode != HttpStatusCode.PartialContent)
            {
                throw await RegistryErrorBody.CreateAsync(response, operation, cancellationToken).ConfigureAwait(false);
            }

            var range = response.Content.Headers.ContentRange;
            if (range is not null && (range.From != start || (range.To is { } to && to != start + length - 1)))
            {
                throw new InvalidDataException($"{operation}: the registry answered bytes {range.From}-{range.To} instead.");
            }

            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new BlobRangeStream(response, body, length, $"{repository.RepositoryName}@{digest}");
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
