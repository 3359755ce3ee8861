using System.Text;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Caching;

/// <summary>
/// Indexes made from a verified table of contents are stored under the layer digest and the TOC digest: only a
/// descriptor announcing that TOC gets them back, never as a verified read of the blob, and a damaged file is a miss.
/// </summary>
public sealed class TocIndexStoreTests
{
    private static readonly Digest Layer = Digest.Sha256("layer"u8);
    private static readonly Digest Toc = Digest.Sha256("toc"u8);
    private static readonly Digest OtherToc = Digest.Sha256("other toc"u8);

    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("kmm-toc-lidx-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task StoredTocIndexComesBackWithItsFileRangesForTheSameTocOnly()
    {
        var store = new LayerIndexStore(_directory, 1 << 20, null);
        var index = TocIndex();
        store.Save(index);

        var same = await store.TryLoadAsync(Layer, CancellationToken.None, Toc);
        var other = await store.TryLoadAsync(Layer, CancellationToken.None, OtherToc);
        var asVerifiedRead = await store.TryLoadAsync(Layer, CancellationToken.None);

        Assert.That(same, Is.Not.Null);
        Assert.That(same!.DigestVerified, Is.False, "a TOC index never stands for a verified read of the blob");
        Assert.That(same.Toc!.TocDigest, Is.EqualTo(Toc));
        Assert.That(same.Toc.Format, Is.EqualTo(TocFormat.ZstdChunked));
        Assert.That(same.Toc.Files, Is.EqualTo(index.Toc!.Files));
        Assert.That(same.Entries, Is.EqualTo(index.Entries));
        Assert.That(other, Is.Null, "an index of another TOC was used");
        Assert.That(asVerifiedRead, Is.Null, "a TOC index was taken for a verified read");
        Assert.That(store.Contains(Layer), Is.True);
    }

    [TestCase("truncated")]
    [TestCase("flipped")]
    public async Task DamagedTocIndexFileIsAMiss(string damage)
    {
        var store = new LayerIndexStore(_directory, 1 << 20, null);
        store.Save(TocIndex());
        var file = store.FileOf(Layer, Toc);
        var bytes = await File.ReadAllBytesAsync(file);
        if (damage == "truncated")
        {
            bytes = bytes[..(bytes.Length / 2)];
        }
        else
        {
            bytes[bytes.Length / 3] ^= 0x40;
        }

        await File.WriteAllBytesAsync(file, bytes);

        Assert.That(await store.TryLoadAsync(Layer, CancellationToken.None, Toc), Is.Null);
    }

    [Test]
    public async Task CacheTakesAStoredTocIndexOnlyWhenTheDescriptorAnnouncesThatToc()
    {
        new LayerIndexStore(_directory, 1 << 20, null).Save(TocIndex());
        var scans = 0;
        Task<LayerIndex> Scan(CancellationToken token)
        {
            scans++;
            return Task.FromResult(new LayerIndex(Layer, [], 0));
        }

        var announced = await new LayerIndexCache(_directory).GetOrAddAsync(Layer, Scan, CancellationToken.None, Toc);
        var otherToc = await new LayerIndexCache(_directory).GetOrAddAsync(Layer, Scan, CancellationToken.None, OtherToc);
        var noToc = await new LayerIndexCache(_directory).GetOrAddAsync(Layer, Scan, CancellationToken.None);

        Assert.That(announced.Toc, Is.Not.Null);
        Assert.That((otherToc.Toc, noToc.Toc), Is.EqualTo(((TableOfContents?)null, (TableOfContents?)null)));
        Assert.That(scans, Is.EqualTo(2), "only the descriptors not announcing the stored TOC read the layer");
    }

    private static LayerIndex TocIndex()
    {
        const string Sha = "sha256:98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4";
        var json = Encoding.UTF8.GetBytes($$"""
            {"version":1,"entries":[
              {"type":"dir","name":"opt/","mode":493},
              {"type":"reg","name":"opt/a.ko","mode":420,"size":3,"digest":"{{Sha}}","offset":128,"endOffset":144},
              {"type":"reg","name":"opt/empty","mode":420,"size":0},
              {"type":"symlink","name":"opt/l","linkName":"a.ko","mode":511},
              {"type":"hardlink","name":"opt/h","linkName":"opt/a.ko"}]}
            """);
        return TocIndexBuilder.Build(Layer, TocFormat.ZstdChunked, TocDocument.Parse(json, LayerLimits.Default, skipChunks: true), 1000, 500, Toc).Index;
    }
}
