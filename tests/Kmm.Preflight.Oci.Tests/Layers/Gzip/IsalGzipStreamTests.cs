using System.IO.Compression;
using Kmm.Preflight.Oci.Layers.Gzip;

namespace Kmm.Preflight.Oci.Tests.Layers.Gzip;

/// <summary>
/// The ISA-L gzip decoder against .NET's GZipStream and the gzip/pigz command-line tools on the same bytes. Skipped
/// where libisal2 is not installed, unless KMM_PREFLIGHT_REQUIRE_ISAL=1 (CI sets it) turns that into a failure.
/// </summary>
public sealed class IsalGzipStreamTests
{
    private static string TestModules => Kmm.Preflight.Testing.Data.RepositoryTestData.ModulesDirectory;

    [OneTimeSetUp]
    public void RequireIsal()
    {
        if (IsalLibrary.IsAvailable)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("KMM_PREFLIGHT_REQUIRE_ISAL") == "1")
        {
            Assert.Fail($"ISA-L is required here but not used: {IsalLibrary.UnavailableReason}");
        }

        Assert.Ignore($"ISA-L not used: {IsalLibrary.UnavailableReason}");
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(511)]
    [TestCase(65_536)]
    [TestCase(1_000_003)]
    public void InflatesWhatGZipStreamWrote(int size)
    {
        var content = DecoderTestData.Content(size, seed: size);
        foreach (var level in new[] { CompressionLevel.NoCompression, CompressionLevel.Fastest, CompressionLevel.SmallestSize })
        {
            Assert.That(Inflate(Gzip(content, level), readSize: 65_536), Is.EqualTo(content), $"level {level}");
        }
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(4096)]
    public void AnyReadSizeGivesTheSameBytes(int readSize)
    {
        var content = DecoderTestData.Content(300_000, seed: 3);
        Assert.That(Inflate(Gzip(content, CompressionLevel.Optimal), readSize), Is.EqualTo(content));
    }

    [Test]
    public void InflatesWhatGzipAndPigzWroteIncludingFileNameHeaders()
    {
        foreach (var module in Directory.GetFiles(TestModules, "*.ko"))
        {
            var original = File.ReadAllBytes(module);
            foreach (var tool in new[] { "gzip -c -9", "gzip -c -1", "pigz -c -k" })
            {
                // gzip FILE stores the file name (FNAME) and mtime in the header, which the decoder must skip.
                var compressed = DecoderTestData.Shell($"{tool} '{module}'");
                Assert.That(Inflate(compressed, readSize: 10_000), Is.EqualTo(original), $"{tool} {Path.GetFileName(module)}");
            }
        }
    }

    [Test]
    public void ConcatenatedMembersAreOneStream()
    {
        var first = DecoderTestData.Content(70_000, seed: 1);
        var second = DecoderTestData.Content(123, seed: 2);
        var third = DecoderTestData.Content(5_000, seed: 3);
        var blob = Gzip(first, CompressionLevel.Fastest).Concat(Gzip(second, CompressionLevel.Optimal)).Concat(Gzip(third, CompressionLevel.NoCompression)).ToArray();

        Assert.That(Inflate(blob, readSize: 8192), Is.EqualTo(first.Concat(second).Concat(third).ToArray()));
        Assert.That(Inflate(blob, readSize: 8192), Is.EqualTo(ReferenceInflate(blob)));
    }

    [Test]
    public void BytesAfterTheLastMemberThatAreNotGzipAreLeftUnread()
    {
        var content = DecoderTestData.Content(10_000, seed: 4);
        var blob = Gzip(content, CompressionLevel.Optimal).Concat(new byte[] { 0, 0, 0, 0, 9, 9 }).ToArray();

        Assert.That(Inflate(blob, readSize: 4096), Is.EqualTo(content));
    }

    [Test]
    public void AWrongCrcIsCorruptData()
    {
        var blob = Gzip(DecoderTestData.Content(50_000, seed: 5), CompressionLevel.Optimal);
        blob[^8] ^= 0x55; // first byte of the CRC-32 in the trailer

        var error = Assert.Throws<InvalidDataException>(() => Inflate(blob, readSize: 65_536));
        Assert.That(error!.Message, Does.Contain("CRC-32"));
    }

    [Test]
    public void AFlippedBitInTheDataIsCorruptData()
    {
        var blob = Gzip(DecoderTestData.Content(200_000, seed: 6), CompressionLevel.Optimal);
        blob[blob.Length / 2] ^= 0x10;

        Assert.Throws<InvalidDataException>(() => Inflate(blob, readSize: 65_536));
    }

    [TestCase(5)]
    [TestCase(500)]
    [TestCase(-4)]
    public void ATruncatedStreamIsAnError(int keep)
    {
        var blob = Gzip(DecoderTestData.Content(100_000, seed: 7), CompressionLevel.Optimal);
        var truncated = blob[..(keep > 0 ? keep : blob.Length + keep)];

        var error = Assert.Throws<InvalidDataException>(() => Inflate(truncated, readSize: 65_536));
        Assert.That(error!.Message, Does.Contain("truncated"));
    }

    [Test]
    public void NotGzipAtAllIsAnError()
    {
        Assert.Throws<InvalidDataException>(() => Inflate("this is not gzip data, just text"u8.ToArray(), readSize: 100));
    }

    [Test]
    public async Task ReadAsyncFromASlowSourceGivesTheSameBytes()
    {
        var content = DecoderTestData.Content(400_000, seed: 8);
        await using var stream = new IsalGzipStream(new TrickleStream(Gzip(content, CompressionLevel.Optimal), 333));
        using var output = new MemoryStream();
        await stream.CopyToAsync(output, 3000);

        Assert.That(output.ToArray(), Is.EqualTo(content));
    }

    [Test]
    public void ZlibSettingTurnsIsalOff()
    {
        var previous = Environment.GetEnvironmentVariable(IsalLibrary.DecoderVariable);
        try
        {
            Environment.SetEnvironmentVariable(IsalLibrary.DecoderVariable, "zlib");
            Assert.That(GzipDecoder.Open(new MemoryStream()), Is.TypeOf<GZipStream>());
            Environment.SetEnvironmentVariable(IsalLibrary.DecoderVariable, null);
            Assert.That(GzipDecoder.Open(new MemoryStream()), Is.TypeOf<IsalGzipStream>());
        }
        finally
        {
            Environment.SetEnvironmentVariable(IsalLibrary.DecoderVariable, previous);
        }
    }

    private static byte[] Inflate(byte[] blob, int readSize) => DecoderTestData.ReadAll(new IsalGzipStream(new MemoryStream(blob)), readSize);

    private static byte[] ReferenceInflate(byte[] blob)
    {
        using var stream = new GZipStream(new MemoryStream(blob), CompressionMode.Decompress);
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Gzip(byte[] content, CompressionLevel level)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    // Hands out at most N bytes per read, asynchronously, as a network source does.
    private sealed class TrickleStream(byte[] data, int step) : MemoryStream(data)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await base.ReadAsync(buffer[..Math.Min(step, buffer.Length)], cancellationToken);
        }
    }
}
