using Kmm.Preflight.Oci.Layers.Zstd;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.Layers.Zstd;

/// <summary>
/// Decompressing a whole in-memory input (a zstd:chunked TOC) in steps that report their output, against the one-shot
/// call on the same bytes: the same output, the same refusals, and every report final.
/// </summary>
[NonParallelizable]
public sealed class NativeZstdWholeTests : LibzstdRequired
{
    [TestCase(1)]
    [TestCase(4096)]
    [TestCase(64 * 1024)]
    [TestCase(int.MaxValue / 2)]
    public void StepsGiveWhatOneCallGives(int step)
    {
        var tar = new TarBuilder().Directory("d").File("d/a", DecoderTestData.Content(700_000, seed: 7)).File("d/b", new byte[300_000]).Build();
        var blob = LayerCompressor.Zstd(tar, frames: 5, skippableFrames: true);
        var reports = new List<(int Written, byte[] Prefix)>();
        var output = new byte[tar.Length + 1];

        var written = NativeZstdLibrary.DecompressAll(blob, output, w => reports.Add((w, output[..w])), step);

        Assert.That(written, Is.EqualTo(tar.Length));
        Assert.That(output[..written], Is.EqualTo(tar));
        Assert.That(reports.Select(r => r.Written), Is.Ordered.Ascending.And.Not.Empty);
        Assert.That(reports[^1].Written, Is.EqualTo(tar.Length));
        Assert.That(reports.All(r => r.Prefix.AsSpan().SequenceEqual(tar.AsSpan(0, r.Written))), Is.True, "a report covered bytes that changed after");
    }

    [TestCase(-1)]
    [TestCase(1000)]
    public void InputCutInsideAFrameIsRefusedAsByOneCall(int keep)
    {
        var content = DecoderTestData.Content(300_000, seed: 8);
        var blob = LayerCompressor.Zstd(content, frames: 1, skippableFrames: false);
        var cut = keep < 0 ? blob[..^1] : blob[..keep];

        Assert.That(() => NativeZstdLibrary.DecompressAll(cut, new byte[content.Length + 1]), Throws.TypeOf<InvalidDataException>());
        Assert.That(() => NativeZstdLibrary.DecompressAll(cut, new byte[content.Length + 1], _ => { }, 4096), Throws.TypeOf<InvalidDataException>());
    }

    [Test]
    public void OutputTooSmallIsRefusedAsByOneCall()
    {
        var content = DecoderTestData.Content(300_000, seed: 9);
        var blob = LayerCompressor.Zstd(content, frames: 2, skippableFrames: false);

        Assert.That(() => NativeZstdLibrary.DecompressAll(blob, new byte[content.Length - 1]), Throws.TypeOf<InvalidDataException>());
        Assert.That(() => NativeZstdLibrary.DecompressAll(blob, new byte[content.Length - 1], _ => { }, 4096), Throws.TypeOf<InvalidDataException>());
    }

    [Test]
    public void NotZstdIsRefused()
    {
        var notZstd = DecoderTestData.Content(10_000, seed: 10);

        Assert.That(() => NativeZstdLibrary.DecompressAll(notZstd, new byte[100_000], _ => { }, 4096), Throws.TypeOf<InvalidDataException>());
    }
}
