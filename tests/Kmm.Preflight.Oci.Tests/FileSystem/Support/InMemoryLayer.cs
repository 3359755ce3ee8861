using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Support;

/// <summary>A layer held in memory that counts how often it is opened and serves it like a network would.</summary>
internal sealed class InMemoryLayer : ILayer
{
    private int _opens;

    public InMemoryLayer(byte[] blob, MediaType mediaType, int maxReadSize = 7_919)
    {
        Blob = blob;
        MaxReadSize = maxReadSize;
        Descriptor = new Descriptor { MediaType = mediaType, Digest = Digest.Sha256(blob), Size = blob.Length };
    }

    public byte[] Blob { get; }

    public int MaxReadSize { get; }

    public Descriptor Descriptor { get; init; }

    /// <summary>Holds every read of every stream until completed; null for none.</summary>
    public TaskCompletionSource? Gate { get; init; }

    /// <summary>Thrown by the stream at its end, like a verifying source whose digest does not match; null for none.</summary>
    public Exception? FailAtEnd { get; init; }

    /// <summary>Whether some stream of this layer was read to its end.</summary>
    public bool ReadToEnd
    {
        get
        {
            lock (_streams)
            {
                return _streams.Any(s => s.ReadToEnd);
            }
        }
    }

    /// <summary>Whether the most recently opened stream was read to its end.</summary>
    public bool LastStreamReadToEnd
    {
        get
        {
            lock (_streams)
            {
                return _streams[^1].ReadToEnd;
            }
        }
    }

    private readonly List<NetworkLikeStream> _streams = [];

    /// <summary>How many times the layer was opened.</summary>
    public int Opens => Volatile.Read(ref _opens);

    public static InMemoryLayer Tar(TarBuilder builder) => new(builder.Build(), MediaType.OciLayerTar);

    public static InMemoryLayer Gzip(TarBuilder builder) => new(LayerCompressor.Gzip(builder.Build()), MediaType.OciLayerGzip);

    public Task<Stream> OpenAsync(long offset = 0, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _opens);
        var stream = new NetworkLikeStream(Blob.AsMemory((int)offset), MaxReadSize) { FailAtEnd = FailAtEnd, Gate = Gate };
        lock (_streams)
        {
            _streams.Add(stream);
        }

        return Task.FromResult<Stream>(stream);
    }
}
