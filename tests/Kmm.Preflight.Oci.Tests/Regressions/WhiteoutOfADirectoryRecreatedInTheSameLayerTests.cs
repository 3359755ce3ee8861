using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.Regressions;

/// <summary>
/// Bug: a layer holding both <c>.wh.g</c> and a new directory <c>g/</c> kept the lower layer's children of
/// <c>g</c> (the directory entry merged with the lower directory first, then the whiteout was skipped as "same
/// layer"). The whiteout deletes the lower <c>g</c>; only what this layer puts in <c>g</c> remains (umoci and
/// containerd agree).
/// </summary>
public sealed class WhiteoutOfADirectoryRecreatedInTheSameLayerTests
{
    [Test]
    public async Task LowerChildrenOfTheWhitedOutDirectoryAreGone()
    {
        var fs = TestImages.FileSystem(
            new TarBuilder().Directory("b").Directory("b/g").File("b/g/h", "h").Directory("b/g/old").File("b/f", "f"),
            new TarBuilder().Directory("b").Whiteout("b/g").Directory("b/g").File("b/g/again", "again"));

        var paths = (await fs.ListAsync("/", recursive: true)).Select(e => e.Path).ToArray();

        Assert.That(paths, Is.EqualTo(new[] { "/b", "/b/f", "/b/g", "/b/g/again" }));
        Assert.That(await fs.GetEntryAsync("/b/g/h"), Is.Null);
    }
}
