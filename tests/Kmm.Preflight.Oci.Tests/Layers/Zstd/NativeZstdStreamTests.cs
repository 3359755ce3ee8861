using Kmm.Preflight.Oci.Layers.Zstd;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;
using ZstdSharp;

namespace Kmm.Preflight.Oci.Tests.Layers.Zstd;

/// <summary>The libzstd decoder against the zstd command-line tool and the managed ZstdSharp port on the same bytes.</summary>
[NonParallelizable]
public sealed class NativeZstdStreamTests : LibzstdRequired
{
    [TestCase("-1")]
    [TestCase("-19")]
    [TestCase("--ultra -22")]
    [TestCase("-3 --long=27")]
    public void DecodesWhatTheZstdToolWrote(string level)
    {
        var content = DecoderTestData.Content(3_000_000, seed: 1);
        var compressed = Zstd(content, level);

        Assert.That(Decode(compressed, readSize: 65_536), Is.EqualTo(content));
    }

    [Test]
    public void FramesAndSkippableFramesFromTheManagedEncoderAreOneStream()
    {
        var tar = new TarBuilder().Directory("d").File("d/a", new byte[200_000]).File("d/b", "bee").Build();
        var blob = LayerCompressor.Zstd(tar, frames: 7, skippableFrames: true);

        Assert.That(Decode(blob, readSize: 1000), Is.EqualTo(tar));
        Assert.That(Decode(blob, readSize: 1000), Is.EqualTo(ManagedDecode(blob)));
    }

    [TestCase(1)]
    [TestCase(17)]
    [TestCase(131_072)]
    public void AnyReadSizeGivesTheSameBytes(int readSize)
    {
        var content = DecoderTestData.Content(500_000, seed: 2);
        Assert.That(Decode(Zstd(content, "-3"), readSize), Is.EqualTo(content));
    }

    [Test]
    public void AnEmptyBlobIsAnEmptyStream() => Assert.That(Decode([], readSize: 10), Is.Empty);

    [TestCase(3)]
    [TestCase(1000)]
    [TestCase(-1)]
    public void AStreamCutInsideAFrameIsEndOfStream(int keep)
    {
        var blob = Zstd(DecoderTestData.Content(300_000, seed: 3), "-3");
        var truncated = blob[..(keep > 0 ? keep : blob.Length + keep)];

        Assert.Throws<EndOfStreamException>(() => Decode(truncated, readSize: 65_536));
    }

    [Test]
    public void CorruptDataIsInvalidData()
    {
        var blob = Zstd(DecoderTestData.Content(300_000, seed: 4), "-3");
        for (var i = blob.Length / 2; i < blob.Length / 2 + 64; i++)
        {
            blob[i] ^= 0x5A;
        }

        var error = Assert.Throws<InvalidDataException>(() => Decode(blob, readSize: 65_536));
        Assert.That(error!.Message, Does.StartWith("The zstd data is corrupt"));
    }

    [Test]
    public void AFrameAskingForAWindowAbove128MiBIsRefused()
    {
        // From a pipe (size unknown) --long=30 records a 1 GiB window in the frame header; a hostile layer must not make
        // us allocate it.
        var blob = Zstd(DecoderTestData.Content(1_000, seed: 5), "-3 --long=30");

        var error = Assert.Throws<InvalidDataException>(() => Decode(blob, readSize: 65_536));
        Assert.That(error!.Message, Does.Contain("window larger than the 128 MiB limit"));
    }

    [Test]
    public void ManagedSettingTurnsLibzstdOff()
    {
        var previous = Environment.GetEnvironmentVariable(NativeZstdLibrary.DecoderVariable);
        try
        {
            Environment.SetEnvironmentVariable(NativeZstdLibrary.DecoderVariable, "managed");
            Assert.That(ZstdDecoder.Open(new MemoryStream()), Is.TypeOf<DecompressionStream>());
            Environment.SetEnvironmentVariable(NativeZstdLibrary.DecoderVariable, null);
            Assert.That(ZstdDecoder.Open(new MemoryStream()), Is.TypeOf<NativeZstdStream>());
        }
        finally
        {
            Environment.SetEnvironmentVariable(NativeZstdLibrary.DecoderVariable, previous);
        }
    }

    private static byte[] Decode(byte[] blob, int readSize) => DecoderTestData.ReadAll(new NativeZstdStream(new MemoryStream(blob)), readSize);

    private static byte[] ManagedDecode(byte[] blob)
    {
        using var stream = new DecompressionStream(new MemoryStream(blob));
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    // Fed through a pipe, as `tar -c | zstd` is: no content size in the frame header, the window as the level sets it.
    private static byte[] Zstd(byte[] content, string options)
    {
        var input = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(input, content);
            return DecoderTestData.Shell($"cat '{input}' | zstd -q -c {options}");
        }
        finally
        {
            File.Delete(input);
        }
    }
}
