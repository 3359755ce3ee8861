using System.Diagnostics;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem;

public sealed class LayerStreamingTests
{
    [Test]
    public async Task IndexingReadsTheBlobToItsEndSoTheSourceVerifiesIt()
    {
        var layer = InMemoryLayer.Gzip(new TarBuilder().File("a", new byte[100_000]));

        await new ImageFileSystem(TestImages.Create(layer)).GetEntryAsync("/a");

        Assert.That(layer.ReadToEnd, Is.True);
    }

    [Test]
    public void VerificationFailureAtTheEndOfTheBlobFailsTheScan()
    {
        var layer = new InMemoryLayer(LayerCompressor.Gzip(new TarBuilder().File("a", "a").Build()), MediaType.OciLayerGzip)
        {
            FailAtEnd = new InvalidDataException("digest mismatch"),
        };

        var error = Assert.ThrowsAsync<InvalidDataException>(() => new ImageFileSystem(TestImages.Create(layer)).ListAsync("/"));

        Assert.That(error!.Message, Does.Contain("digest mismatch"));
    }

    [Test]
    public void CancellationStopsTheScan()
    {
        var layer = InMemoryLayer.Gzip(new TarBuilder().File("a", new byte[1_000_000]));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() => new ImageFileSystem(TestImages.Create(layer)).ListAsync("/", cancellationToken: cancelled.Token));
    }

    [Test]
    public async Task OneCallerGivingUpDoesNotFailOthersSharingTheScan()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var layer = new InMemoryLayer(LayerCompressor.Gzip(new TarBuilder().File("f", "f").Build()), MediaType.OciLayerGzip) { Gate = gate };
        var cache = new LayerIndexCache();
        var image = TestImages.Create(layer);
        using var giveUp = new CancellationTokenSource();

        var quitter = new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache }).GetEntryAsync("/f", cancellationToken: giveUp.Token);
        var patient = new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache }).GetEntryAsync("/f");
        await giveUp.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => quitter);
        gate.SetResult();

        Assert.That((await patient)!.Size, Is.EqualTo(1));
        Assert.That(layer.Opens, Is.EqualTo(1));
    }

    [Test]
    public async Task ScanAbandonedByAllCallersIsCancelledAndStartedAfreshLater()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var layer = new InMemoryLayer(LayerCompressor.Gzip(new TarBuilder().File("f", "f").Build()), MediaType.OciLayerGzip) { Gate = gate };
        var cache = new LayerIndexCache();
        var image = TestImages.Create(layer);
        using var giveUp = new CancellationTokenSource();

        var quitter = new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache }).GetEntryAsync("/f", cancellationToken: giveUp.Token);
        // Cancel only once the scan has opened the layer (it starts on the pool): cancelling earlier abandons a scan that
        // never opened anything, and the test would not be about an abandoned scan at all.
        var opened = Stopwatch.StartNew();
        while (layer.Opens == 0 && opened.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(5);
        }

        await giveUp.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => quitter);
        gate.SetResult();
        var later = await new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache }).GetEntryAsync("/f");

        Assert.That(later!.Size, Is.EqualTo(1));
        Assert.That(layer.Opens, Is.EqualTo(2));
    }

    [Test]
    public async Task CachedIndexWithoutNeededContentIsRescannedOnceForAllRetainedFiles()
    {
        var cache = new LayerIndexCache();
        var layer = InMemoryLayer.Gzip(new TarBuilder().Directory("m").File("m/a.ko", "aaa").File("m/b.ko", "bbbb").File("m/c.txt", "c"));
        var image = TestImages.Create(layer);
        await new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache }).ListAsync("/");

        var retaining = new ImageFileSystemOptions { Cache = cache, RetainContent = (p, _) => p.EndsWith(".ko", StringComparison.Ordinal) };
        var fs = new ImageFileSystem(image, retaining);
        var a = await fs.ReadAllBytesAsync("/m/a.ko");
        var b = await fs.ReadAllBytesAsync("/m/b.ko");
        var later = await new ImageFileSystem(image, retaining).ReadAllBytesAsync("/m/b.ko");

        Assert.That((a, b, later), Is.EqualTo(("aaa"u8.ToArray(), "bbbb"u8.ToArray(), "bbbb"u8.ToArray())));
        Assert.That(layer.Opens, Is.EqualTo(2));
    }

    [Test]
    public async Task ReadingAFileEarlyInALayerAbandonsTheRest()
    {
        // Incompressible, so the blob is far larger than what the read-ahead may buffer.
        var rest = new byte[12_000_000];
        new Random(7).NextBytes(rest);
        var layer = InMemoryLayer.Gzip(new TarBuilder().File("first", "1").File("rest", rest));
        var fs = new ImageFileSystem(TestImages.Create(layer));
        await fs.GetEntryAsync("/first");
        var streamsBefore = layer.Opens;

        Assert.That(await fs.ReadAllBytesAsync("/first"), Is.EqualTo("1"u8.ToArray()));
        Assert.That(layer.Opens, Is.EqualTo(streamsBefore + 1));
        Assert.That(layer.LastStreamReadToEnd, Is.False);
    }
}
