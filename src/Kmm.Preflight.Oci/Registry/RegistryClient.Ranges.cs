using System.Net;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Oci.Registry.Transport;

namespace Kmm.Preflight.Oci.Registry;

/// <content>Bounded byte ranges of a blob, for reading a file from the middle of a layer.</content>
public sealed partial class RegistryClient
{
    /// <summary>
    /// Opens bytes <paramref name="offset"/> to <paramref name="offset"/> + <paramref name="length"/> of a blob with one
    /// <c>Range: bytes=N-M</c> GET. Null when the registry did not answer with exactly that range (it ignored
    /// <c>Range</c> and sent the whole blob, say), so the caller can read the blob some other way. The bytes are not
    /// verified here (a range cannot be checked against the blob's digest): the caller checks what it makes of them.
    /// No resume: a dropped connection is an <see cref="IOException"/> on read.
    /// </summary>
    /// <exception cref="RegistryNotFoundException">The blob does not exist.</exception>
    /// <exception cref="RegistryException">Any other registry or connection failure.</exception>
    internal async Task<Stream?> OpenBlobRangeAsync(ImageReference repository, Digest digest, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var operation = $"fetching bytes {offset}-{offset + length - 1} of blob {digest} of {repository.RepositoryName}";
        var response = await SendBlobGetAsync(repository, digest, offset, operation, cancellationToken, offset + length - 1);
        var range = response.Content.Headers.ContentRange;
        if (response.StatusCode != HttpStatusCode.PartialContent || range?.From != offset || range.To != offset + length - 1)
        {
            response.Dispose();
            return null;
        }

        return new ResponseStream(response, await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    /// <summary>A response body that disposes its response with it.</summary>
    private sealed class ResponseStream(HttpResponseMessage response, Stream body) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => body.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => body.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => body.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                body.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
