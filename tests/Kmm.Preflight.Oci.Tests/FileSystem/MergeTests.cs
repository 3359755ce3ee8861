using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem;

public sealed class MergeTests
{
    private static async Task<string[]> ListAllAsync(ImageFileSystem fs)
        => (await fs.ListAsync("/", recursive: true)).Select(e => e.Path).ToArray();

    [Test]
    public async Task WhiteoutOfAFileHidesItFromLowerLayers()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("etc").File("etc/a", "a").File("etc/b", "b"),
            new TarBuilder().Directory("etc").Whiteout("etc/a"));

        Assert.That(await fs.GetEntryAsync("/etc/a"), Is.Null);
        Assert.That(await fs.GetEntryAsync("/etc/b"), Is.Not.Null);
        Assert.That(await ListAllAsync(fs), Is.EqualTo(new[] { "/etc", "/etc/b" }));
    }

    [Test]
    public async Task WhiteoutOfADirectoryHidesItsWholeSubtree()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("opt").Directory("opt/d").Directory("opt/d/e").File("opt/d/e/f", "f").File("opt/keep", "k"),
            new TarBuilder().Directory("opt").Whiteout("opt/d"));

        Assert.That(await fs.GetEntryAsync("/opt/d/e/f"), Is.Null);
        Assert.That(await fs.GetEntryAsync("/opt/d"), Is.Null);
        Assert.That(await ListAllAsync(fs), Is.EqualTo(new[] { "/opt", "/opt/keep" }));
    }

    [Test]
    public async Task OpaqueDirectoryHidesLowerChildrenWhereverTheMarkerIs()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("d").File("d/old", "o").Directory("d/sub").File("d/sub/older", "o").File("other", "x"),
            new TarBuilder().Directory("d").File("d/new", "n").Directory("d/sub").Opaque("d"));

        Assert.That(await ListAllAsync(fs), Is.EqualTo(new[] { "/d", "/d/new", "/d/sub", "/other" }));
        Assert.That(await fs.GetEntryAsync("/d/old"), Is.Null);
    }

    [Test]
    public async Task WhiteoutAndItsTargetInTheSameLayerKeepTheTarget()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().File("a", "lower"),
            new TarBuilder().File("a", "upper").Whiteout("a"));

        Assert.That(await fs.ReadAllBytesAsync("/a"), Is.EqualTo("upper"u8.ToArray()));
    }

    [Test]
    public async Task FileReplacingADirectoryHidesEverythingBelow()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("x").File("x/y", "y"),
            new TarBuilder().File("x", "now a file"));

        var entry = await fs.GetEntryAsync("/x");
        Assert.That(entry!.Type, Is.EqualTo(EntryType.File));
        Assert.That(await fs.GetEntryAsync("/x/y"), Is.Null);
        Assert.That(await ListAllAsync(fs), Is.EqualTo(new[] { "/x" }));
    }

    [Test]
    public async Task DirectoryReplacingAFileStartsEmpty()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().File("x", "file"),
            new TarBuilder().Directory("x").File("x/z", "z"));

        Assert.That((await fs.GetEntryAsync("/x"))!.Type, Is.EqualTo(EntryType.Directory));
        Assert.That(await ListAllAsync(fs), Is.EqualTo(new[] { "/x", "/x/z" }));
    }

    [Test]
    public async Task DirectoryOverDirectoryMergesChildren()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("x").File("x/a", "a"),
            new TarBuilder().Directory("x").File("x/b", "b"));

        Assert.That(await ListAllAsync(fs), Is.EqualTo(new[] { "/x", "/x/a", "/x/b" }));
        Assert.That((await fs.GetEntryAsync("/x"))!.LayerIndex, Is.EqualTo(1));
    }

    [Test]
    public async Task EntriesWrittenThroughASymlinkedParentLandInItsTarget()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("usr").Directory("usr/lib").Symlink("lib", "usr/lib"),
            new TarBuilder().Directory("lib/modules").Directory("lib/modules/6.1").File("lib/modules/6.1/x.ko", "module"));

        var entry = await fs.GetEntryAsync("/lib/modules/6.1/x.ko");
        Assert.That(entry!.Path, Is.EqualTo("/usr/lib/modules/6.1/x.ko"));
        Assert.That(entry.LayerIndex, Is.EqualTo(1));
        Assert.That(await fs.ReadAllBytesAsync("/usr/lib/modules/6.1/x.ko"), Is.EqualTo("module"u8.ToArray()));
        Assert.That(
            await ListAllAsync(fs),
            Is.EqualTo(new[] { "/lib", "/usr", "/usr/lib", "/usr/lib/modules", "/usr/lib/modules/6.1", "/usr/lib/modules/6.1/x.ko" }));
    }

    [Test]
    public async Task EntriesAfterTheirParentIsReplacedInTheSameLayerFollowTheReplacement()
    {
        // One layer: d/f1 goes into directory d; then d becomes a symlink to e, so d/f2 lands in e and d/f1 is gone.
        // The merge keeps the directory entries go into between entries: it must not keep d's old node past the link.
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("d").Directory("e").File("d/f1", "1").Symlink("d", "e").File("d/f2", "2").File("e/f3", "3"));

        Assert.That(await ListAllAsync(fs), Is.EqualTo(new[] { "/d", "/e", "/e/f2", "/e/f3" }));
        Assert.That(await fs.ReadAllBytesAsync("/d/f2"), Is.EqualTo("2"u8.ToArray()));
    }

    [Test]
    public async Task EntriesOfDirectoriesListedOutOfOrderLandWhereTheirPathsSay()
    {
        // Deep directories first, then siblings and files jumping between them: every entry must reach its own parent.
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("a").Directory("a/b").Directory("a/b/c").Directory("a/x").File("a/b/c/1", "1")
                .File("a/x/2", "2").File("a/b/3", "3").File("a/b/c/4", "4").File("5", "5").File("a/x/6", "6"));

        Assert.That(await ListAllAsync(fs), Is.EqualTo(new[] { "/5", "/a", "/a/b", "/a/b/3", "/a/b/c", "/a/b/c/1", "/a/b/c/4", "/a/x", "/a/x/2", "/a/x/6" }));
    }

    [Test]
    public async Task AbsoluteAndRelativeSymlinksResolveFromTheImageRoot()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("data").File("data/f", "content")
                .Directory("a").Symlink("a/abs", "/data/f").Symlink("a/rel", "../data/f").Symlink("a/dir", "/data"));

        Assert.That((await fs.GetEntryAsync("/a/abs"))!.Path, Is.EqualTo("/data/f"));
        Assert.That((await fs.GetEntryAsync("/a/rel"))!.Path, Is.EqualTo("/data/f"));
        Assert.That((await fs.GetEntryAsync("/a/dir/f"))!.Path, Is.EqualTo("/data/f"));
        var link = await fs.GetEntryAsync("/a/abs", followSymlinks: false);
        Assert.That(link!.Type, Is.EqualTo(EntryType.Symlink));
        Assert.That(link.LinkTarget, Is.EqualTo("/data/f"));
        Assert.That(await fs.ReadAllBytesAsync("a/rel"), Is.EqualTo("content"u8.ToArray()));
    }

    [Test]
    public async Task SymlinkEscapingTheRootIsClampedToIt()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("etc").File("etc/passwd", "image").Directory("x").Symlink("x/up", "../../../../etc/passwd"));

        Assert.That((await fs.GetEntryAsync("/x/up"))!.Path, Is.EqualTo("/etc/passwd"));
        Assert.That((await fs.GetEntryAsync("/../../etc/passwd"))!.Path, Is.EqualTo("/etc/passwd"));
    }

    [Test]
    public async Task SymlinkLoopsAreReportedAsLoopsNotAsMissing()
    {
        var fs = TestImages.FileSystem(new TarBuilder().Symlink("a", "b").Symlink("b", "a").Symlink("self", "self"));

        var error = Assert.ThrowsAsync<SymlinkLoopException>(() => fs.GetEntryAsync("/a"));
        Assert.That(error!.Path, Is.EqualTo("/a"));
        Assert.That(error.Message, Does.StartWith("/a: too many levels of symbolic links in "));
        Assert.ThrowsAsync<SymlinkLoopException>(() => fs.GetEntryAsync("/self/x"));
        Assert.ThrowsAsync<SymlinkLoopException>(() => fs.ReadAllBytesAsync("/a"));
        Assert.ThrowsAsync<SymlinkLoopException>(() => fs.ListAsync("/self"));
        Assert.ThrowsAsync<SymlinkLoopException>(() => fs.FindAsync("/b", _ => true));
        Assert.That((await fs.GetEntryAsync("/a", followSymlinks: false))!.Type, Is.EqualTo(EntryType.Symlink));
        Assert.That(await ListAllAsync(fs), Is.EqualTo(new[] { "/a", "/b", "/self" }));
    }

    [Test]
    public async Task MissingPathsStayMissingBesideLoops()
    {
        var fs = TestImages.FileSystem(new TarBuilder().Symlink("a", "b").Symlink("b", "a").Symlink("dangling", "nowhere"));

        Assert.That(await fs.GetEntryAsync("/nowhere"), Is.Null);
        Assert.That(await fs.GetEntryAsync("/dangling"), Is.Null);
        Assert.That(await fs.FindAsync("/nowhere", _ => true), Is.Empty);
        var error = Assert.ThrowsAsync<FileNotFoundException>(() => fs.ReadAllBytesAsync("/dangling"));
        Assert.That(error!.Message, Does.Contain("does not exist"));
    }

    [TestCase(MergedTree.MaxSymlinkHops, false)]
    [TestCase(MergedTree.MaxSymlinkHops + 1, true)]
    public async Task SymlinkChainsLongerThanLinuxAllowsAreLoops(int links, bool loops)
    {
        var tar = new TarBuilder().File("end", "reached");
        for (var i = 0; i < links; i++)
        {
            tar.Symlink($"l{i}", i == links - 1 ? "end" : $"l{i + 1}");
        }

        var fs = TestImages.FileSystem(tar);

        if (loops)
        {
            Assert.ThrowsAsync<SymlinkLoopException>(() => fs.ReadAllBytesAsync("/l0"));
        }
        else
        {
            Assert.That(await fs.ReadAllBytesAsync("/l0"), Is.EqualTo("reached"u8.ToArray()));
        }
    }

    [Test]
    public async Task HardlinksReadTheirTargetInTheSameLayer()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().File("a", "old a"),
            new TarBuilder().Directory("bin").File("bin/tool", "tool bytes").Hardlink("bin/alias", "bin/tool").Hardlink("a2", "a"));

        var alias = await fs.GetEntryAsync("/bin/alias");
        Assert.That(alias!.Type, Is.EqualTo(EntryType.File));
        Assert.That(alias.Size, Is.EqualTo(10));
        Assert.That(await fs.ReadAllBytesAsync("/bin/alias"), Is.EqualTo("tool bytes"u8.ToArray()));
        Assert.That(await fs.ReadAllBytesAsync("/a2"), Is.EqualTo("old a"u8.ToArray()));
    }

    [TestCase("./")]
    [TestCase("/")]
    [TestCase("")]
    public async Task NamePrefixesAreNormalised(string prefix)
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory(prefix + "usr").File(prefix + "usr/./x/../y", "y"));

        Assert.That(await ListAllAsync(fs), Is.EqualTo(new[] { "/usr", "/usr/y" }));
    }

    [Test]
    public async Task ListAsyncListsChildrenSortedAndAFileListsItself()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("d").File("d/b", "b").File("d/a", "a").Directory("d/c").File("d/c/z", "z").Symlink("d/l", "c"));

        var children = await fs.ListAsync("/d");
        Assert.That(children.Select(e => e.Path), Is.EqualTo(new[] { "/d/a", "/d/b", "/d/c", "/d/l" }));
        var recursive = await fs.ListAsync("/d", recursive: true);
        Assert.That(recursive.Select(e => e.Path), Is.EqualTo(new[] { "/d/a", "/d/b", "/d/c", "/d/c/z", "/d/l" }));
        var viaLink = await fs.ListAsync("/d/l");
        Assert.That(viaLink.Select(e => e.Path), Is.EqualTo(new[] { "/d/c/z" }));
        var file = await fs.ListAsync("/d/a");
        Assert.That(file.Single().Size, Is.EqualTo(1));
        Assert.ThrowsAsync<FileNotFoundException>(() => fs.ListAsync("/missing"));
    }

    [Test]
    public async Task FindAsyncFiltersTheSubtree()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("m").File("m/a.ko", "a").Directory("m/k").File("m/k/b.ko", "b").File("m/c.txt", "c"),
            new TarBuilder().Directory("m").Whiteout("m/a.ko"));

        var found = await fs.FindAsync("/m", e => e.Path.EndsWith(".ko", StringComparison.Ordinal));
        Assert.That(found.Select(e => e.Path), Is.EqualTo(new[] { "/m/k/b.ko" }));
        Assert.That(await fs.FindAsync("/nothing", _ => true), Is.Empty);
    }

    [Test]
    public async Task ReadAllBytesRejectsDirectoriesAndOversizedFiles()
    {
        var fs = TestImages.FileSystem(new TarBuilder().Directory("d").File("d/big", new byte[1000]));

        Assert.ThrowsAsync<InvalidDataException>(() => fs.ReadAllBytesAsync("/d"));
        Assert.ThrowsAsync<InvalidDataException>(() => fs.ReadAllBytesAsync("/d/big", maxBytes: 999));
        Assert.ThrowsAsync<FileNotFoundException>(() => fs.ReadAllBytesAsync("/d/none"));
        Assert.That((await fs.ReadAllBytesAsync("/d/big", maxBytes: 1000)).Length, Is.EqualTo(1000));
    }

    [Test]
    public async Task RootAndEmptyImage()
    {
        var fs = new ImageFileSystem(TestImages.Create());
        Assert.That((await fs.GetEntryAsync("/"))!.Type, Is.EqualTo(EntryType.Directory));
        Assert.That(await fs.ListAsync("/"), Is.Empty);
    }
}
