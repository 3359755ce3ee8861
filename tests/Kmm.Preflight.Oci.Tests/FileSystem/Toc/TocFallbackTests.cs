using System.Text;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Registry;
using Kmm.Preflight.Testing.Toc;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>
/// When the TOC cannot be used (ranges ignored, digest mismatch, footer cut or garbled) the layer is streamed, the
/// answer is still right, and the progress report and log say why.
/// </summary>
// Not parallel: the ranged-GET checks count this layer's requests in the shared registry's log.
[Category("Integration")]
[NonParallelizable]
public sealed class TocFallbackTests
{
    private TocImageFixture _fixture = null!;

    public static IEnumerable<string> TocImages => TocLayerTests.TocImages;

    [OneTimeSetUp]
    public async Task Setup() => _fixture = await TocImageFixture.GetAsync();

    [TestCaseSource(nameof(TocImages))]
    public async Task RegistryIgnoringRangeIsStreamedAndSaysSo(string kind)
    {
        await using var proxy = new RangeStrippingProxy(_fixture.Registry);
        using var client = new RegistryClient(new RegistryClientOptions
        {
            Hosts = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase) { [proxy.Host] = new RegistryHostSettings(Insecure: true) },
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        });
        var image = await TocLayerTests.ResolveAsync(client, Kmm.Preflight.Oci.References.ImageReference.Parse($"{proxy.Host}/{Name(kind)}"));

        var (module, progress) = await ReadModuleAsync(image);

        Assert.That(module, Is.EqualTo(TocImageFixture.Module));
        Assert.That(proxy.RangesDropped, Is.GreaterThan(0));
        var done = progress.All.Last(p => p.Completed);
        Assert.That(done.Method, Is.EqualTo(LayerReadMethod.Stream));
        Assert.That(done.Note, Does.Contain("ignored Range").And.Contain("streamed instead"));
    }

    [TestCaseSource(nameof(TocImages))]
    public async Task TocNotMatchingItsAnnotatedDigestIsStreamedAndSaysSo(string kind)
    {
        // Another valid digest in place of the TOC's: the TOC read no longer matches what the manifest vouches for.
        var wrong = "sha256:" + new string('0', 64);
        var tampered = await TocImageMaker.EditManifestAsync(_fixture.Registry, Name(kind), $"{_fixture.Repository}/tampered-{kind}:v1", json =>
        {
            var key = kind == "estargz" ? "containerd.io/snapshot/stargz/toc.digest\":\"" : "zstd-chunked.manifest-checksum\":\"";
            var at = json.IndexOf(key, StringComparison.Ordinal) + key.Length;
            return json[..at] + wrong + json[(at + wrong.Length)..];
        });
        var done = await ReadModuleByStreamingAsync(tampered);

        Assert.That(done.Note, Does.Contain($"not {wrong}").And.Contain("streamed instead"));
    }

    [Test]
    public async Task GarbledZstdChunkedTocIsReportedByItsDigestNotByWhatItDecompressesTo()
    {
        // The TOC's bytes are hashed while they are decompressed: garbled ones fail both, and the digest is what is
        // named. The TOC sits in a skippable frame, so the blob still streams to the same tar.
        var damaged = await TocImageMaker.EditLayerAsync(_fixture.Registry, Name("zstd-chunked"), $"{_fixture.Repository}/garbled-toc:v1", blob =>
        {
            var footer = blob.AsSpan(blob.Length - 40);
            var offset = (int)BitConverter.ToUInt64(footer[..8]);
            var copy = (byte[])blob.Clone();
            Encoding.ASCII.GetBytes("garbled garbled garbled").CopyTo(copy, offset + 16);
            return copy;
        });
        var done = await ReadModuleByStreamingAsync(damaged);

        Assert.That(done.Note, Does.Contain("compressed TOC has digest").And.Contain("streamed instead"));
    }

    [TestCase("zstd-chunked", "garbled")]
    [TestCase("zstd-chunked", "cut")]
    [TestCase("estargz", "cut")]
    public async Task WrongFooterIsStreamedAndSaysSo(string kind, string damage)
    {
        // zstd:chunked keeps its footer in a skippable frame and eStargz in an empty gzip member: garbling the first or
        // cutting either leaves a blob that still decompresses to the same tar, so streaming must still work.
        // The zstd:chunked footer is the 40-byte content of a skippable frame with an 8-byte header: cut both.
        var footer = kind == "estargz" ? 51 : 8 + 40;
        var damaged = await TocImageMaker.EditLayerAsync(_fixture.Registry, Name(kind), $"{_fixture.Repository}/{damage}-{kind}:v1", blob =>
        {
            if (damage == "cut")
            {
                return blob[..^footer];
            }

            var copy = (byte[])blob.Clone();
            Encoding.ASCII.GetBytes("XXXXXXXX").CopyTo(copy, copy.Length - 8);
            return copy;
        });
        var done = await ReadModuleByStreamingAsync(damaged);

        Assert.That(done.Note, Does.Contain("footer").And.Contain("streamed instead"));
        Assert.That(done.Verified, Is.True, "streamed to the end, so the blob digest was checked");
    }

    [TestCase("zstd-chunked")]
    [TestCase("estargz")]
    public async Task FileDataNotMatchingItsTocDigestIsAnErrorNotAFile(string kind)
    {
        // The TOC is intact (and verified) but one compressed byte of the module is flipped.
        using var client = _fixture.Registry.CreateClient();
        var original = await TocLayerTests.ResolveAsync(client, _fixture.Reference(Name(kind)));
        var index = await LayerIndexing.IndexAsync(original.Layers.Single(), new LayerScanSettings("probe", null, Kmm.Preflight.Oci.Layers.LayerLimits.Default, null, null));
        var module = index.Toc!.Files.Single(f => f.Path == TocImageFixture.ModulePath.TrimStart('/'));
        var damaged = await TocImageMaker.EditLayerAsync(_fixture.Registry, Name(kind), $"{_fixture.Repository}/flipped-{kind}:v1", blob =>
        {
            var copy = (byte[])blob.Clone();
            copy[(module.Start + module.End) / 2] ^= 0x5a;
            return copy;
        });
        var fs = new ImageFileSystem(await TocLayerTests.ResolveAsync(client, damaged));

        var error = Assert.ThrowsAsync<InvalidDataException>(() => fs.ReadAllBytesAsync(TocImageFixture.ModulePath));

        Assert.That(error!.Message, Does.Contain(TocImageFixture.ModulePath));
    }

    [Test]
    public async Task OciLayoutCopyIsReadByRangeFromDisk()
    {
        var layout = Path.Combine(Path.GetTempPath(), "kmm-toc-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await Skopeo.RunAsync(["copy", "--quiet", "--src-tls-verify=false", $"docker://{_fixture.Registry.Host}/{_fixture.Estargz}", $"oci:{layout}:v1"]);
            using var client = _fixture.Registry.CreateClient();
            var image = await new ImageSourceFactory(client).Open($"oci:{layout}:v1").ResolveAsync(Kmm.Preflight.Oci.Manifests.Platform.Default);

            var (module, progress) = await ReadModuleAsync(image);

            Assert.That(module, Is.EqualTo(TocImageFixture.Module));
            Assert.That(progress.All.Last(p => p.Completed).Method, Is.EqualTo(LayerReadMethod.TableOfContents));
        }
        finally
        {
            if (Directory.Exists(layout))
            {
                Directory.Delete(layout, recursive: true);
            }
        }
    }

    [Test]
    public async Task ZstdChunkedTocFetchedAheadThatBreaksOffIsAskedForAfreshAndStillRead()
    {
        // The TOC's range is fetched while the image resolves and decompressed as it arrives; its body breaks off after
        // 1,000 bytes (of the fixture's 3 KB), once: the lookup asks for the range again and reads the module through
        // the TOC as usual.
        using var breaking = new BreakingRangeHandler(breakAfter: 1000);
        using var client = new RegistryClient(_fixture.Registry.CreateClientOptions() with { InnerHandler = breaking });
        var image = await TocLayerTests.ResolveAsync(client, Kmm.Preflight.Oci.References.ImageReference.Parse($"{_fixture.Registry.Host}/{_fixture.ZstdChunked}"));

        var (module, progress) = await ReadModuleAsync(image);

        Assert.That(module, Is.EqualTo(TocImageFixture.Module));
        Assert.That(progress.All.Last(p => p.Completed).Method, Is.EqualTo(LayerReadMethod.TableOfContents));
        Assert.That(breaking.Broken, Is.EqualTo(1), "the first TOC range broke off");
        Assert.That(breaking.TocRanges, Is.EqualTo(2), "the TOC range was asked for again");
    }

    // Breaks off the body of the first ranged GET that reads to the blob's end (a zstd:chunked TOC and footer) after
    // breakAfter bytes; counts those GETs.
    private sealed class BreakingRangeHandler(int breakAfter) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _tocRanges;
        private int _broken;

        public int TocRanges => _tocRanges;

        public int Broken => _broken;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Headers.Range?.Ranges.SingleOrDefault() is { From: > 0 } range
                && response.Content.Headers.ContentRange is { Length: { } blobLength, To: { } to } && to == blobLength - 1 && range.From < to - breakAfter)
            {
                Interlocked.Increment(ref _tocRanges);
                if (Interlocked.CompareExchange(ref _broken, 1, 0) == 0)
                {
                    var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                    var broken = new StreamContent(new BreakingStream(body, breakAfter));
                    foreach (var header in response.Content.Headers)
                    {
                        broken.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }

                    response.Content = broken;
                }
            }

            return response;
        }
    }

    // The body's first breakAfter bytes, then a broken connection.
    private sealed class BreakingStream(byte[] body, int breakAfter) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => body.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= breakAfter)
            {
                throw new IOException("the connection broke off (test)");
            }

            var count = Math.Min(buffer.Length, Math.Min(breakAfter, body.Length) - _position);
            body.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    // Reads the module from the image and checks it came whole from streaming the layer; the last progress report.
    private async Task<LayerScanProgress> ReadModuleByStreamingAsync(Kmm.Preflight.Oci.References.ImageReference image)
    {
        using var client = _fixture.Registry.CreateClient();
        var (module, progress) = await ReadModuleAsync(await TocLayerTests.ResolveAsync(client, image));

        Assert.That(module, Is.EqualTo(TocImageFixture.Module));
        var done = progress.All.Last(p => p.Completed);
        Assert.That(done.Method, Is.EqualTo(LayerReadMethod.Stream));
        return done;
    }

    private static async Task<(byte[] Module, TocLayerTests.Reports Progress)> ReadModuleAsync(ResolvedImage image)
    {
        var progress = new TocLayerTests.Reports();
        var fs = new ImageFileSystem(image, new ImageFileSystemOptions { Progress = progress });
        return (await fs.ReadAllBytesAsync(TocImageFixture.ModulePath), progress);
    }

    private string Name(string kind) => kind switch
    {
        "zstd-chunked" => _fixture.ZstdChunked,
        "zstd-chunked-current" => _fixture.ZstdChunkedCurrent,
        _ => _fixture.Estargz,
    };
}
