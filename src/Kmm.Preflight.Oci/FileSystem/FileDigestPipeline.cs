using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using Kmm.Preflight.Oci.Layers.Tar;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// SHA-256 of each file's data on a worker thread, so hashing a layer's files overlaps inflating it instead of adding
/// to it (the scan's reading thread only copies the data into pooled chunks). Memory stays bounded: at most
/// <see cref="MaxChunksInFlight"/> chunks wait. Digests come back by the file's position in the entry list.
/// </summary>
internal sealed class FileDigestPipeline : IAsyncDisposable
{
    private const int ChunkSize = 128 * 1024;
    private const int MaxChunksInFlight = 16;

    private readonly Channel<Chunk> _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(MaxChunksInFlight) { SingleReader = true, SingleWriter = true });
    private readonly Dictionary<int, byte[]> _digests = [];
    private readonly Task _worker;

    public FileDigestPipeline()
    {
        _worker = Task.Run(HashAsync);
    }

    /// <summary>Reads the current entry's data from <paramref name="reader"/> and queues it to be hashed as the file at <paramref name="position"/>.</summary>
    public async Task AddAsync(LayerTarReader reader, int position, CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            var count = 0;
            try
            {
                int read;
                while (count < ChunkSize && (read = await reader.ReadDataAsync(buffer.AsMemory(count, ChunkSize - count), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    count += read;
                }
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }

            var last = count < ChunkSize;
            await _chunks.Writer.WriteAsync(new Chunk(buffer, count, last ? position : -1), cancellationToken).ConfigureAwait(false);
            if (last)
            {
                return;
            }
        }
    }

    /// <summary>Waits for the worker and returns the digests by entry position.</summary>
    public async Task<IReadOnlyDictionary<int, byte[]>> CompleteAsync()
    {
        _chunks.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
        return _digests;
    }

    public async ValueTask DisposeAsync()
    {
        _chunks.Writer.TryComplete();
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
        }
    }

    private async Task HashAsync()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await foreach (var chunk in _chunks.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            hash.AppendData(chunk.Buffer, 0, chunk.Count);
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
            if (chunk.EndsFileAt >= 0)
            {
                _digests[chunk.EndsFileAt] = hash.GetHashAndReset();
            }
        }
    }

    private readonly record struct Chunk(byte[] Buffer, int Count, int EndsFileAt);
}
