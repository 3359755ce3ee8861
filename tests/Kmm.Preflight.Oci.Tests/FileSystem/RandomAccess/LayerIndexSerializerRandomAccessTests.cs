using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Checkpoints;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Tests.FileSystem.RandomAccess;

/// <summary>The cache file's random-access section: kept whole, or dropped whole, never half-read.</summary>
public sealed class LayerIndexSerializerRandomAccessTests
{
    private static readonly Digest LayerDigest = Digest.Sha256("layer"u8.ToArray());

    [Test]
    public void Checkpoints_states_and_file_digests_survive_a_round_trip()
    {
        var index = Index();

        var read = RoundTrip(Write(index));

        Assert.That(read!.RandomAccess!.Compression, Is.EqualTo(LayerCompression.Gzip));
        Assert.That(read.RandomAccess.StateFormat, Is.EqualTo("test-format"));
        Assert.That(read.RandomAccess.Checkpoints.Select(c => (c.CompressedOffset, c.UncompressedOffset)), Is.EqualTo(index.RandomAccess!.Checkpoints.Select(c => (c.CompressedOffset, c.UncompressedOffset))));
        Assert.That(read.RandomAccess.Checkpoints[0].State, Is.EqualTo(index.RandomAccess.Checkpoints[0].State));
        Assert.That(read.RandomAccess.Checkpoints[1].State, Is.Null);
        Assert.That(read.Entries.Select(e => e.Sha256), Is.EqualTo(index.Entries.Select(e => e.Sha256)));
    }

    [Test]
    public void An_index_without_random_access_reads_back_without_it()
    {
        var index = new LayerIndex(LayerDigest, Index().Entries.Select(e => e with { Sha256 = null }).ToList(), 9000);

        var read = RoundTrip(Write(index));

        Assert.That(read!.RandomAccess, Is.Null);
        Assert.That(read.Entries.Select(e => e.Sha256), Is.All.Null);
    }

    [Test]
    public void A_damaged_section_is_dropped_and_the_entries_stay()
    {
        var bytes = Write(Index());
        bytes[bytes.Length - 40] ^= 1;

        var read = RoundTrip(bytes);

        Assert.That(read, Is.Not.Null);
        Assert.That(read!.Entries, Has.Count.EqualTo(2));
        Assert.That(read.RandomAccess, Is.Null);
        Assert.That(read.Entries.Select(e => e.Sha256), Is.All.Null);
    }

    [Test]
    public void A_file_cut_inside_the_section_is_a_miss()
    {
        var bytes = Write(Index());

        Assert.That(RoundTrip(bytes[..^20]), Is.Null);
    }

    [Test]
    public void Before_and_after_pick_the_nearest_checkpoints()
    {
        var access = new LayerRandomAccess(LayerCompression.Zstd, null, [new(10, 100, null), new(20, 200, null), new(30, 300, null)]);

        Assert.That(access.Before(99), Is.Null);
        Assert.That(access.Before(200)!.CompressedOffset, Is.EqualTo(20));
        Assert.That(access.Before(299)!.CompressedOffset, Is.EqualTo(20));
        Assert.That(access.After(201)!.CompressedOffset, Is.EqualTo(30));
        Assert.That(access.After(300)!.CompressedOffset, Is.EqualTo(30));
        Assert.That(access.After(301), Is.Null);
    }

    private static LayerIndex Index()
    {
        var state = Enumerable.Range(0, 70_000).Select(i => (byte)(i % 251)).ToArray();
        var entries = new List<LayerIndexEntry>
        {
            new("opt/a.ko", LayerEntryKind.File, 5000, null, 420, 512) { Sha256 = Enumerable.Repeat((byte)7, 32).ToArray() },
            new("opt", LayerEntryKind.Directory, 0, null, 493, 0),
        };
        return new LayerIndex(LayerDigest, entries, 9000)
        {
            RandomAccess = new LayerRandomAccess(LayerCompression.Gzip, "test-format", [new(1000, 4000, state), new(2000, 8000, null)]),
        };
    }

    private static byte[] Write(LayerIndex index)
    {
        using var stream = new MemoryStream();
        LayerIndexSerializer.Write(stream, index);
        return stream.ToArray();
    }

    private static LayerIndex? RoundTrip(byte[] bytes) => LayerIndexSerializer.TryRead(new MemoryStream(bytes), LayerDigest);
}
