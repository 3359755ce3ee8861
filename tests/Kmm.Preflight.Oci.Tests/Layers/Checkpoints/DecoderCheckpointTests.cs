using System.IO.Compression;
using Kmm.Preflight.Oci.Layers.Checkpoints;
using Kmm.Preflight.Oci.Layers.Gzip;
using Kmm.Preflight.Oci.Layers.Zstd;

namespace Kmm.Preflight.Oci.Tests.Layers.Checkpoints;

/// <summary>
/// A decoder resumed at any recorded checkpoint, fed the blob from the checkpoint's compressed offset, produces exactly
/// the bytes the full decode produced from the checkpoint's uncompressed offset on.
/// </summary>
public sealed class DecoderCheckpointTests
{
    private const int Interval = 256 * 1024;

    [TestCase(CompressionLevel.Fastest, 1)]
    [TestCase(CompressionLevel.Optimal, 1)]
    [TestCase(CompressionLevel.SmallestSize, 1)]
    [TestCase(CompressionLevel.NoCompression, 1)]
    [TestCase(CompressionLevel.Optimal, 4)]
    public void Every_isal_checkpoint_resumes_to_the_same_bytes(CompressionLevel level, int members)
    {
        RequireIsalSnapshots();
        var content = Content();
        var blob = Gzip(content, level, members);
        var recorder = new CheckpointRecorder(Interval);
        using (var full = new IsalGzipStream(new MemoryStream(blob), recorder: recorder))
        {
            Assert.That(ReadAll(full), Is.EqualTo(content));
        }

        Assert.That(recorder.Checkpoints, Has.Count.GreaterThanOrEqualTo(content.Length / Interval - 1));
        Assert.That(recorder.StateFormat, Is.EqualTo(IsalSnapshots.Format));
        foreach (var checkpoint in recorder.Checkpoints)
        {
            using var resumed = IsalGzipStream.Resume(new MemoryStream(blob, (int)checkpoint.CompressedOffset, blob.Length - (int)checkpoint.CompressedOffset), checkpoint);
            Assert.That(resumed, Is.Not.Null);
            var rest = ReadAll(resumed!);
            Assert.That(rest.AsSpan().SequenceEqual(content.AsSpan((int)checkpoint.UncompressedOffset)), $"resumed at {checkpoint}");
        }
    }

    [Test]
    public void A_state_that_is_not_a_snapshot_is_refused()
    {
        RequireIsalSnapshots();
        using var source = new MemoryStream();
        Assert.That(IsalGzipStream.Resume(source, new DecoderCheckpoint(10, 10, new byte[100])), Is.Null);
        var garbage = new byte[IsalLayout.TmpOutBuffer + 10];
        Array.Fill(garbage, (byte)0x7f);
        Assert.That(IsalGzipStream.Resume(source, new DecoderCheckpoint(10, 10, garbage)), Is.Null);
    }

    [Test]
    public void Zstd_checkpoints_are_frame_boundaries_and_resume_with_a_fresh_decoder()
    {
        if (!NativeZstdLibrary.IsAvailable)
        {
            Assert.Ignore($"libzstd not used: {NativeZstdLibrary.UnavailableReason}");
        }

        var content = Content();
        using var blob = new MemoryStream();
        for (var offset = 0; offset < content.Length; offset += 100_000)
        {
            using var frame = new ZstdSharp.CompressionStream(blob, 3, leaveOpen: true);
            frame.Write(content.AsSpan(offset, Math.Min(100_000, content.Length - offset)));
        }

        var bytes = blob.ToArray();
        var recorder = new CheckpointRecorder(Interval);
        using (var full = new NativeZstdStream(new MemoryStream(bytes), recorder: recorder))
        {
            Assert.That(ReadAll(full), Is.EqualTo(content));
        }

        Assert.That(recorder.Checkpoints, Is.Not.Empty);
        Assert.That(recorder.Checkpoints.Select(c => c.State), Is.All.Null);
        foreach (var checkpoint in recorder.Checkpoints)
        {
            Assert.That(checkpoint.UncompressedOffset % 100_000, Is.Zero.Or.EqualTo(content.Length % 100_000));
            using var resumed = new ZstdSharp.DecompressionStream(new MemoryStream(bytes, (int)checkpoint.CompressedOffset, bytes.Length - (int)checkpoint.CompressedOffset));
            Assert.That(ReadAll(resumed).AsSpan().SequenceEqual(content.AsSpan((int)checkpoint.UncompressedOffset)));
        }
    }

    private static void RequireIsalSnapshots()
    {
        if (IsalSnapshots.IsAvailable)
        {
            return;
        }

        var reason = $"ISA-L snapshots not usable: {IsalLibrary.UnavailableReason ?? "self-test failed"}";
        if (Environment.GetEnvironmentVariable("KMM_PREFLIGHT_REQUIRE_ISAL") == "1")
        {
            Assert.Fail(reason);
        }

        Assert.Ignore(reason);
    }

    // Real modules (compressible like a layer) followed by random bytes (stored blocks), ~3 MB.
    private static byte[] Content()
    {
        using var content = new MemoryStream();
        foreach (var module in Directory.GetFiles(Kmm.Preflight.Testing.Data.RepositoryTestData.ModulesDirectory, "*.ko").Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(module);
            for (var copy = 0; copy < 8; copy++)
            {
                bytes[copy * 97] ^= 0x33;
                content.Write(bytes);
            }
        }

        var noise = new byte[600_000];
        new Random(7).NextBytes(noise);
        content.Write(noise);
        return content.ToArray();
    }

    private static byte[] Gzip(byte[] content, CompressionLevel level, int members)
    {
        using var output = new MemoryStream();
        var part = content.Length / members;
        for (var i = 0; i < members; i++)
        {
            using var gzip = new GZipStream(output, level, leaveOpen: true);
            gzip.Write(content.AsSpan(i * part, i == members - 1 ? content.Length - (i * part) : part));
        }

        return output.ToArray();
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var output = new MemoryStream();
        var buffer = new byte[50_000]; // not a power of two: the decoder stops at odd places
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }
}
