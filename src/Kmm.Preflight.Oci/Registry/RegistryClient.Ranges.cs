using System.Net;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Registry;

/// <content>Bounded byte ranges of a blob: files read from the middle of a layer (checkpoints, tables of contents).</content>
public sealed partial class RegistryClient
{
    /// <summary>
    /// Opens bytes <paramref name="offset"/> to <paramref name="offset"/> + <paramref name="length"/> of a blob with one
    /// <c>Range: bytes=N-M</c> GET, through the storage URL an earlier GET of the blob was redirected to (see
    /// <see cref="SendBlobGetAsync"/>). Null when the registry did not answer with exactly that range (it, or a proxy,
    /// ignored <c>Range</c> and sent the whole blob, say), so the caller can read the blob some other way. The stream
    /// yields exactly <paramref name="length"/> bytes or throws <see cref="EndOfStreamException"/>. The bytes are not
    /// verified here (a range cannot be checked against the blob's digest): the caller checks what it makes of them.
    /// No resume: ranges are small, the caller asks again or streams the whole blob.
    /// </summary>
    /// <exception cref="RegistryNotFoundException">The blob does not exist.</exception>
    /// <exception cref="RegistryException">Any other registry or connection failure.</exception>
    internal async Task<Stream?> OpenBlobRangeAsync(ImageReference repository, Digest digest, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var last = offset + length - 1;
        var operation = $"fetching bytes {offset}-{last} of blob {digest} of {repository.RepositoryName}";
        var response = await SendBlobGetAsync(repository, digest, offset, operation, cancellationToken, last).ConfigureAwait(false);
        try
        {
            var range = response.Content.Headers.ContentRange;
            if (response.StatusCode != HttpStatusCode.PartialContent || (range is not null && (range.From != offset || (range.To is { } to && to != last))))
            {
                response.Dispose();
                return null;
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
