using System.Net.Http.Headers;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>An upload body held in memory; always replayable.</summary>
internal sealed class MemoryBlobContent(ReadOnlyMemory<byte> content) : BlobContent
{
    /// <inheritdoc />
    public override bool IsReplayable => true;

    /// <inheritdoc />
    public override HttpContent Create(long offset, long length)
    {
        var body = new ReadOnlyMemoryContent(content.Slice((int)offset, (int)length));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return body;
    }

    /// <inheritdoc />
    public override Task<int> ReadChunkAsync(byte[] buffer, long offset, int count, CancellationToken cancellationToken)
    {
        content.Slice((int)offset, count).CopyTo(buffer);
        return Task.FromResult(count);
    }
}
