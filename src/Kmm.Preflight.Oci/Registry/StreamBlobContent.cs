using System.Net.Http.Headers;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>An upload body read from a stream; replayable only when the stream can seek.</summary>
internal sealed class StreamBlobContent(Stream stream, long size) : BlobContent
{
    private readonly long _origin = stream.CanSeek ? stream.Position : 0;

    /// <inheritdoc />
    public override bool IsReplayable => stream.CanSeek;

    /// <inheritdoc />
    public override HttpContent Create(long offset, long length)
    {
        if (stream.CanSeek)
        {
            stream.Position = _origin + offset;
        }

        var body = new StreamContent(new NonDisposingStream(stream, length));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        body.Headers.ContentLength = length;
        return body;
    }

    /// <inheritdoc />
    public override async Task<int> ReadChunkAsync(byte[] buffer, long offset, int count, CancellationToken cancellationToken)
    {
        if (stream.CanSeek)
        {
            stream.Position = _origin + offset;
        }

        var total = 0;
        while (total < count)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total, count - total), cancellationToken);
            if (read == 0)
            {
                throw new InvalidDataException($"the blob stream ended after {offset + total} of {size} bytes.");
            }

            total += read;
        }

        return total;
    }
}
