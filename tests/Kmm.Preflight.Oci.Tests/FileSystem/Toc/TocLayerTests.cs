using System.Globalization;
using System.Text.RegularExpressions;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Toc;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>
/// eStargz and zstd:chunked layers made by independent tools (ctr-remote, skopeo), read from a real registry through
/// their tables of contents, against the same layers streamed.
/// </summary>
// Not parallel: the ranged-GET checks count this layer's requests in the shared registry's log.
[Category("Integration")]
[NonParallelizable]
public sealed partial class TocLayerTests
{
    private TocImageFixture _fixture = null!;

    public static IEnumerable<string> TocImages => ["zstd-chunked", "zstd-chunked-current", "estargz"];

    [OneTimeSetUp]
    public async Task Setup() => _fixture = await TocImageFixture.GetAsync();

    [TestCaseSource(nameof(TocImages))]
    public async Task IndexFromTheTocEqualsTheIndexFromStreamingTheSameBlob(string kind)
    {
        using var client = _fixture.Registry.CreateClient();
        var image = await ResolveAsync(client, Name(kind));
        var layer = image.Layers.Single();
        var settings = new LayerScanSettings(image.Name, null, LayerLimits.Default, null, null);

        var fromToc = await LayerIndexing.IndexAsync(layer, settings);
        var streamed = await LayerIndexer.IndexAsync(layer, settings);

        Assert.That(fromToc.Toc, Is.Not.Null, "the TOC was not used");
        Assert.That(streamed.Toc, Is.Null);
        Assert.That(fromToc.Entries.Select(Shape), Is.EqualTo(streamed.Entries.Select(Shape)));
        Assert.That(fromToc.Entries.Select(e => e.Kind), Does.Contain(LayerEntryKind.Whiteout).And.Contain(LayerEntryKind.OpaqueDirectory)
            .And.Contain(LayerEntryKind.Hardlink).And.Contain(LayerEntryKind.Symlink));
        Assert.That(fromToc.Entries.Select(e => e.Path), Has.None.Contain("stargz.index.json").And.None.Contain("landmark"));
    }

    [TestCaseSource(nameof(TocImages))]
    public async Task MergedListingEqualsTheGzipOriginal(string kind)
    {
        using var client = _fixture.Registry.CreateClient();
        var original = await new ImageFileSystem(await ResolveAsync(client, _fixture.Source)).ListAsync("/", recursive: true);
        var progress = new Reports();
        var fs = new ImageFileSystem(await ResolveAsync(client, Name(kind)), new ImageFileSystemOptions { Progress = progress });

        var listed = await fs.ListAsync("/", recursive: true);

        Assert.That(listed.Select(e => (e.Path, e.Type, e.Size, e.LinkTarget)), Is.EqualTo(original.Select(e => (e.Path, e.Type, e.Size, e.LinkTarget))));
        Assert.That(progress.Last.Method, Is.EqualTo(LayerReadMethod.TableOfContents), progress.Last.Note);
    }

    [TestCaseSource(nameof(TocImages))]
    public async Task FilesAreReadByRangeWithOnlyRangedGetsAndAFractionOfTheBlob(string kind)
    {
        // A user agent of its own picks this test's requests out of the registry's log (its lines arrive late).
        var userAgent = $"kmm-toc-test/{Guid.NewGuid():N}";
        using var client = new RegistryClient(_fixture.Registry.CreateClientOptions() with { UserAgent = userAgent });
        var image = await ResolveAsync(client, Name(kind));
        var layer = image.Layers.Single().Descriptor;
        var progress = new Reports();
        var fs = new ImageFileSystem(image, new ImageFileSystemOptions { Progress = progress });

        var module = await fs.ReadAllBytesAsync(TocImageFixture.ModulePath);
        var linked = await fs.ReadAllBytesAsync("/opt/data/dummy-copy.ko");
        var empty = await fs.ReadAllBytesAsync("/opt/data/empty");

        Assert.That(module, Is.EqualTo(TocImageFixture.Module));
        Assert.That(linked, Is.EqualTo(TocImageFixture.Module));
        Assert.That(empty, Is.Empty);

        // The registry logs a request after answering it, sometimes well after: wait for its log to be quiet.
        await _fixture.Registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));
        var gets = GetsBy(userAgent, layer);
        Assert.That(gets, Is.Not.Empty);
        Assert.That(gets.Select(g => g.Status), Is.All.EqualTo(206), "every GET of the layer blob is ranged");
        var read = gets.Sum(g => g.Bytes);
        Assert.That(read, Is.LessThan(layer.Size / 4), $"{read} of {layer.Size} bytes read");
        Assert.That(progress.Last.Method, Is.EqualTo(LayerReadMethod.TableOfContents));
        Assert.That(progress.Last.CompressedBytesRead, Is.EqualTo(read));

        // A file of several chunks (zstd:chunked splits it) comes back whole and verified.
        Assert.That(await fs.ReadAllBytesAsync(TocImageFixture.BigFilePath, maxBytes: 1 << 20), Is.EqualTo(TocImageFixture.BigFile));
        using var copy = new MemoryStream();
        await fs.CopyFileToAsync("/opt/data/link", copy);
        Assert.That(copy.ToArray(), Is.EqualTo(TocImageFixture.BigFile));
    }

    [TestCaseSource(nameof(TocImages))]
    public async Task TableOfContentsIsFetchedWhileTheImageIsResolvedAndNotAgain(string kind)
    {
        // The footer and TOC ranges overlap the config's round trip; listing the layer then takes them, with no GET.
        var userAgent = $"kmm-toc-prefetch/{Guid.NewGuid():N}";
        using var client = new RegistryClient(_fixture.Registry.CreateClientOptions() with { UserAgent = userAgent });
        var image = await ResolveAsync(client, Name(kind));
        var layer = image.Layers.Single().Descriptor;
        List<(int Status, long Bytes)> Gets() => GetsBy(userAgent, layer);

        var afterResolve = await PrefetchedAsync(Gets);
        var listed = await new ImageFileSystem(image).ListAsync("/", recursive: true);
        await _fixture.Registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));

        Assert.That(listed, Is.Not.Empty);
        Assert.That(afterResolve, Is.Not.Empty, "no TOC range was fetched while resolving");
        Assert.That(afterResolve.Select(g => g.Status), Is.All.EqualTo(206));
        Assert.That(Gets(), Is.EqualTo(afterResolve), "listing fetched the TOC again");
    }

    [TestCaseSource(nameof(TocImages))]
    public async Task FileLookedUpIsFetchedWhileTheTocIsParsedAndNotAgainWhenRead(string kind)
    {
        var userAgent = $"kmm-toc-ahead/{Guid.NewGuid():N}";
        using var client = new RegistryClient(_fixture.Registry.CreateClientOptions() with { UserAgent = userAgent });
        var image = await ResolveAsync(client, Name(kind));
        var layer = image.Layers.Single().Descriptor;
        var fs = new ImageFileSystem(image);
        List<(int Status, long Bytes)> Gets() => GetsBy(userAgent, layer);

        // The lookup reads the TOC (fetched while resolving), and with it the file's range: one GET more.
        var afterResolve = await PrefetchedAsync(Gets);
        var entry = await fs.GetEntryAsync(TocImageFixture.ModulePath);

        // The registry logs a request once answered: wait for the fetched-ahead one (it fails here if there is none).
        for (var waited = 0; waited < 50 && Gets().Count <= afterResolve.Count; waited++)
        {
            await Task.Delay(100);
        }

        var afterLookup = Gets();
        var module = await fs.ReadAllBytesAsync(TocImageFixture.ModulePath);
        await _fixture.Registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));

        Assert.That(entry, Is.Not.Null);
        Assert.That(module, Is.EqualTo(TocImageFixture.Module));
        Assert.That(afterLookup.Select(g => g.Status), Is.All.EqualTo(206));
        Assert.That(afterLookup, Has.Count.EqualTo(afterResolve.Count + 1), "the module's range was not fetched during the lookup");
        Assert.That(afterLookup[^1].Bytes, Is.LessThan(TocImageFixture.Module.Length), "what was fetched is not the compressed module");
        Assert.That(Gets(), Is.EqualTo(afterLookup), "reading the module fetched its range again");
    }

    [TestCaseSource(nameof(TocImages))]
    public async Task WarmRunListsFromTheStoredTocIndexWithoutReadingTheLayerAndReadsFilesByRange(string kind)
    {
        var directory = Directory.CreateTempSubdirectory("kmm-toc-cache-").FullName;
        try
        {
            using (var first = _fixture.Registry.CreateClient())
            {
                var cold = new ImageFileSystem(await ResolveAsync(first, Name(kind)), new ImageFileSystemOptions { Cache = new LayerIndexCache(directory) });
                await cold.ListAsync("/", recursive: true);
            }

            Assert.That(Directory.GetFiles(directory, "*.toc-sha256-*.lidx"), Has.Length.EqualTo(1), "the TOC index was not stored under the layer and TOC digests");

            // A second run, as a new process would: new cache over the directory, new client.
            var userAgent = $"kmm-toc-warm/{Guid.NewGuid():N}";
            var cache = new LayerIndexCache(directory);
            using var client = new RegistryClient(_fixture.Registry.CreateClientOptions() with { UserAgent = userAgent, TopLayerPrefetchFilter = d => !cache.Contains(d) });
            var image = await ResolveAsync(client, Name(kind));
            var layer = image.Layers.Single().Descriptor;
            var fs = new ImageFileSystem(image, new ImageFileSystemOptions { Cache = cache });
            List<(int Status, long Bytes)> Gets() => GetsBy(userAgent, layer);

            var listed = await fs.ListAsync("/", recursive: true);
            await _fixture.Registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));
            var listingGets = Gets();
            var module = await fs.ReadAllBytesAsync(TocImageFixture.ModulePath);

            // The registry logs a request after answering it, sometimes well after: wait for the file's line, then for quiet.
            for (var waited = 0; waited < 50 && Gets().Count == 0; waited++)
            {
                await Task.Delay(100);
            }

            await _fixture.Registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));
            Assert.That(listed.Select(e => e.Path), Does.Contain(TocImageFixture.ModulePath));
            Assert.That(listingGets, Is.Empty, "the warm listing read the layer");
            Assert.That(module, Is.EqualTo(TocImageFixture.Module));
            Assert.That(Gets(), Has.Count.EqualTo(1).And.All.Matches<(int Status, long Bytes)>(g => g.Status == 206 && g.Bytes < layer.Size / 4), "one ranged GET for the file");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestCase(0)]
    [TestCase(100_000)]
    public async Task ZstdChunkedTocAndFooterAreFetchedInOneRangeUnlessFarApart(int between)
    {
        // skopeo 1.9 writes the footer right after the TOC: one GET brings both. Later writers put the tar-split
        // between them, which can be large: a skippable frame stands in for it (it decompresses to nothing).
        var reference = _fixture.Reference(_fixture.ZstdChunked);
        if (between > 0)
        {
            reference = await TocImageMaker.EditLayerAsync(_fixture.Registry, _fixture.ZstdChunked, $"{_fixture.Repository}/gap-{between}:v1", blob =>
            {
                const int footer = 8 + 40;
                byte[] frame = [0x50, 0x2A, 0x4D, 0x18, .. BitConverter.GetBytes(between - 8), .. new byte[between - 8]];
                return [.. blob[..^footer], .. frame, .. blob[^footer..]];
            });
        }

        var userAgent = $"kmm-toc-footer/{Guid.NewGuid():N}";
        using var client = new RegistryClient(_fixture.Registry.CreateClientOptions() with { UserAgent = userAgent });
        var image = await ResolveAsync(client, reference);
        var layer = image.Layers.Single().Descriptor;
        var location = Kmm.Preflight.Oci.FileSystem.Toc.TocAnnotations.Find(layer)!;
        var progress = new Reports();
        var module = await new ImageFileSystem(image, new ImageFileSystemOptions { Progress = progress }).ReadAllBytesAsync(TocImageFixture.ModulePath);
        await _fixture.Registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));

        Assert.That(module, Is.EqualTo(TocImageFixture.Module));
        Assert.That(progress.Last.Method, Is.EqualTo(LayerReadMethod.TableOfContents));
        long[] toc = between == 0 ? [layer.Size - location.Offset] : [64, location.Length];
        var gets = GetsBy(userAgent, layer);
        Assert.That(gets.Select(g => g.Status), Is.All.EqualTo(206));
        Assert.That(gets, Has.Count.EqualTo(toc.Length + 1), "the TOC's GETs and the module's");
        Assert.That(gets.Select(g => g.Bytes), Is.SupersetOf(toc));
        Assert.That(progress.Last.CompressedBytesRead, Is.EqualTo(gets.Sum(g => g.Bytes)));
    }

    [Test]
    public async Task ZstdChunkedFromSkopeoCarriesTheOlderAnnotationFamily()
    {
        // skopeo 1.9 writes io.containers.*; the current family is tested through a renamed copy of its manifest.
        using var client = _fixture.Registry.CreateClient();
        var layer = (await ResolveAsync(client, _fixture.ZstdChunked)).Layers.Single().Descriptor;
        var renamed = (await ResolveAsync(client, _fixture.ZstdChunkedCurrent)).Layers.Single().Descriptor;

        Assert.That(layer.Annotations.Keys, Has.Some.StartsWith(TocImageMaker.LegacyZstdChunkedPrefix));
        Assert.That(renamed.Annotations.Keys, Has.All.Not.StartsWith(TocImageMaker.LegacyZstdChunkedPrefix).And.Some.StartsWith(TocImageMaker.ZstdChunkedPrefix));
        Assert.That(renamed.Digest, Is.EqualTo(layer.Digest));
    }

    internal static (string Path, LayerEntryKind Kind, long Size, string? LinkTarget, int Mode) Shape(LayerIndexEntry entry) =>
        (entry.Path, entry.Kind, entry.Size, entry.LinkTarget, entry.Mode);

    internal static async Task<ResolvedImage> ResolveAsync(RegistryClient client, Kmm.Preflight.Oci.References.ImageReference reference) =>
        await new RegistryImageSource(client, reference).ResolveAsync(Platform.Default);

    // This test's GETs of the layer blob: its own user agent picks them out of the shared registry's log.
    // The GETs once the TOC's ranges, fetched from the moment the image is resolved (which no longer waits for the
    // config), have been answered: on a busy test machine that can take longer than a quiet moment of the log.
    private async Task<List<(int Status, long Bytes)>> PrefetchedAsync(Func<List<(int Status, long Bytes)>> gets)
    {
        for (var waited = 0; waited < 100 && gets().Count == 0; waited++)
        {
            await Task.Delay(100);
        }

        await _fixture.Registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));
        return gets();
    }

    private List<(int Status, long Bytes)> GetsBy(string userAgent, Descriptor layer) =>
        BlobGets(_fixture.Registry.RecentLog.Where(l => l.Contains($"http.request.useragent={userAgent}", StringComparison.Ordinal)), layer.Digest.ToString());

    internal static List<(int Status, long Bytes)> BlobGets(IEnumerable<string> log, string digest) =>
        [.. log.Where(l => l.Contains("response completed", StringComparison.Ordinal) && l.Contains("http.request.method=GET", StringComparison.Ordinal)
                && l.Contains($"/blobs/{digest}", StringComparison.Ordinal))
            .Select(l => ResponseFields().Match(l))
            .Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))];

    private Task<ResolvedImage> ResolveAsync(RegistryClient client, string image) => ResolveAsync(client, _fixture.Reference(image));

    private string Name(string kind) => kind switch
    {
        "zstd-chunked" => _fixture.ZstdChunked,
        "zstd-chunked-current" => _fixture.ZstdChunkedCurrent,
        _ => _fixture.Estargz,
    };

    [GeneratedRegex(@"http\.response\.status=(\d+) http\.response\.written=(\d+)")]
    private static partial Regex ResponseFields();

    /// <summary>Collects progress reports.</summary>
    internal sealed class Reports : IProgress<LayerScanProgress>
    {
        private readonly List<LayerScanProgress> _reports = [];

        public IReadOnlyList<LayerScanProgress> All
        {
            get
            {
                lock (_reports)
                {
                    return [.. _reports];
                }
            }
        }

        public LayerScanProgress Last => All[^1];

        public void Report(LayerScanProgress value)
        {
            lock (_reports)
            {
                _reports.Add(value);
            }
        }
    }
}
