using System.Formats.Tar;
using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Tar;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Benchmarks;

/// <summary>
/// The layer reading hot path on an in-memory layer (~64 MiB uncompressed, a few thousand files): indexing a gzip,
/// zstd or plain layer against the floor of merely inflating the same gzip blob.
/// </summary>
[MemoryDiagnoser]
public class LayerReaderBenchmarks
{
    private const int FileCount = 4000;
    private const int MaxFileSize = 32 * 1024;

    private byte[] _tar = [];
    private byte[] _gzip = [];
    private byte[] _zstd = [];
    private readonly byte[] _discard = new byte[128 * 1024];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            for (var i = 0; i < FileCount; i++)
            {
                if (i % 50 == 0)
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, $"usr/lib/modules/d{i / 50}"));
                }

                // Half-compressible data, so inflate costs something like real binaries.
                var content = new byte[random.Next(0, MaxFileSize)];
                random.NextBytes(content.AsSpan(0, content.Length / 2));
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"usr/lib/modules/d{i / 50}/file{i}.ko") { DataStream = new MemoryStream(content) });
            }
        }

        _tar = output.ToArray();
        using var gzip = new MemoryStream();
        using (var compressor = new GZipStream(gzip, CompressionLevel.Optimal, leaveOpen: true))
        {
            compressor.Write(_tar);
        }

        _gzip = gzip.ToArray();
        using var zstd = new ZstdSharp.Compressor(3);
        _zstd = zstd.Wrap(_tar).ToArray();
    }

    /// <summary>The floor: inflate the gzip blob into a discarded buffer.</summary>
    [Benchmark(Baseline = true)]
    public async Task<long> GzipInflateOnly()
    {
        await using var gzip = new GZipStream(new MemoryStream(_gzip), CompressionMode.Decompress);
        long total = 0;
        int read;
        while ((read = await gzip.ReadAsync(_discard)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark]
    public Task<int> IndexGzipLayer() => IndexAsync(_gzip, MediaType.OciLayerGzip);

    [Benchmark]
    public Task<int> IndexZstdLayer() => IndexAsync(_zstd, MediaType.OciLayerZstd);

    [Benchmark]
    public Task<int> IndexUncompressedLayer() => IndexAsync(_tar, MediaType.OciLayerTar);

    /// <summary>The tar parser alone over an uncompressed in-memory stream.</summary>
    [Benchmark]
    public async Task<long> TarReaderOnly()
    {
        await using var reader = new LayerTarReader(new MemoryStream(_tar));
        long entries = 0;
        while (await reader.GetNextEntryAsync() is not null)
        {
            entries++;
        }

        return entries;
    }

    private static async Task<int> IndexAsync(byte[] blob, MediaType mediaType)
    {
        var layer = new MemoryLayer(blob, mediaType);
        var index = await LayerIndexer.IndexAsync(layer, new LayerScanSettings("benchmark", null, LayerLimits.Default, null, null));
        return index.Entries.Count;
    }

    private sealed class MemoryLayer(byte[] blob, MediaType mediaType) : ILayer
    {
        public Descriptor Descriptor { get; } = new() { MediaType = mediaType, Digest = Digest.Sha256(blob), Size = blob.Length };

        public Task<Stream> OpenAsync(long offset = 0, CancellationToken cancellationToken = default)
            => Task.FromResult<Stream>(new MemoryStream(blob, (int)offset, blob.Length - (int)offset, writable: false));
    }
}
