using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// An upload body read from a layer's source on demand: a registry layer is downloaded as it is uploaded (never
/// held whole), a local one streamed from its file. Replayable: a retried attempt opens the layer again. The layer's
/// own digest check runs when the whole blob went through; a mismatch is kept in <see cref="Failure"/>.
/// </summary>
internal sealed class LayerBlobContent(ILayer layer) : BlobContent, IAsyncDisposable
{
    private Stream? _chunkSource;
    private long _chunkPosition;

    /// <summary>Why the layer could not be read (digest or size mismatch at its source), if it could not.</summary>
    public InvalidDataException? Failure { get; private set; }

    public override bool IsReplayable => true;

    public override HttpContent Create(long offset, long length) => new Body(this, offset, length);

    public override async Task<int> ReadChunkAsync(byte[] buffer, long offset, int count, CancellationToken cancellationToken)
    {
        if (_chunkSource is null || _chunkPosition != offset)
        {
            await DisposeAsync();
            _chunkSource = await layer.OpenAsync(offset, cancellationToken);
            _chunkPosition = offset;
        }

        var total = 0;
        while (total < count)
        {
            var read = await ReadAsync(_chunkSource, buffer.AsMemory(total, count - total), cancellationToken);
            if (read == 0)
            {
                throw Fail(new InvalidDataException($"layer {layer.Descriptor.Digest} ended after {offset + total} of {layer.Descriptor.Size} bytes."));
            }

            total += read;
        }

        _chunkPosition += total;
        if (_chunkPosition == layer.Descriptor.Size)
        {
            // One more read lets a stream opened at 0 verify the digest before the upload is committed.
            await ReadAsync(_chunkSource, new byte[1], cancellationToken);
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (_chunkSource is not null)
        {
            await _chunkSource.DisposeAsync();
            _chunkSource = null;
        }
    }

    private async ValueTask<int> ReadAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await source.ReadAsync(buffer, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw Fail(e);
        }
    }

    private InvalidDataException Fail(InvalidDataException e)
    {
        Failure ??= e;
        return e;
    }

    private sealed class Body : HttpContent
    {
        private readonly LayerBlobContent _owner;
        private readonly long _offset;
        private readonly long _length;

        public Body(LayerBlobContent owner, long offset, long length)
        {
            _owner = owner;
            _offset = offset;
            _length = length;
            Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            Headers.ContentLength = length;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await using var source = await _owner.OpenAsync(_offset, cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
            try
            {
                for (var remaining = _length; remaining > 0;)
                {
                    var read = await _owner.ReadAsync(source, buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                    if (read == 0)
                    {
                        throw _owner.Fail(new InvalidDataException($"layer {_owner.Descriptor.Digest} ended {remaining} bytes early."));
                    }

                    remaining -= read;
                    if (remaining == 0 && _offset + _length == _owner.Descriptor.Size)
                    {
                        // The source checks the digest at its end: do that before the last bytes go out, so a corrupt
                        // blob never reaches the registry as a complete body.
                        await _owner.ReadAsync(source, new byte[1], cancellationToken);
                    }

                    await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
    }

    private Manifests.Descriptor Descriptor => layer.Descriptor;

    private Task<Stream> OpenAsync(long offset, CancellationToken cancellationToken) => layer.OpenAsync(offset, cancellationToken);
}
