using System.Net;
using System.Net.Http.Headers;

namespace Kmm.Preflight.Core.Engine;

/// <summary>
/// A request body written as it is sent (chunked), so a build context or an image archive of gigabytes streams
/// from its source (a registry, the Dockerfile) to the engine without a temporary copy.
/// </summary>
internal sealed class WriterContent : HttpContent
{
    private readonly Func<Stream, CancellationToken, Task> _write;

    public WriterContent(Func<Stream, CancellationToken, Task> write, string mediaType)
    {
        _write = write;
        Headers.ContentType = new MediaTypeHeaderValue(mediaType);
    }

    /// <summary>What made the writer fail (a layer that did not match its digest, a registry error), if it failed.</summary>
    public Exception? WriteFailure { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => WriteAsync(stream, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) => WriteAsync(stream, cancellationToken);

    // HttpClient reports a failing body as a failed request; the caller wants the cause, not "cannot reach the engine".
    private async Task WriteAsync(Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            await _write(stream, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            WriteFailure = ex;
            throw;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
