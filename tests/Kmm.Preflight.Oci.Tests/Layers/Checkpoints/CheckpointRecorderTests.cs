using Kmm.Preflight.Oci.Layers.Checkpoints;

namespace Kmm.Preflight.Oci.Tests.Layers.Checkpoints;

/// <summary>Checkpoints stay bounded in number for any layer size, evenly spread.</summary>
public sealed class CheckpointRecorderTests
{
    [Test]
    public void A_huge_stream_keeps_at_most_the_maximum_and_doubles_the_interval()
    {
        var recorder = new CheckpointRecorder(interval: 100);
        long offset = 0;
        for (var call = 0; call < 100_000; call++)
        {
            offset += 37;
            if (recorder.IsDue(offset))
            {
                recorder.Add(new DecoderCheckpoint(offset / 3, offset, null));
            }
        }

        Assert.That(recorder.Checkpoints.Count, Is.InRange(CheckpointRecorder.MaxCheckpoints / 2, CheckpointRecorder.MaxCheckpoints - 1));
        Assert.That(recorder.Interval, Is.GreaterThan(100));
        var offsets = recorder.Checkpoints.Select(c => c.UncompressedOffset).ToList();
        Assert.That(offsets, Is.Ordered.Ascending);
        var gaps = offsets.Zip(offsets.Skip(1), (a, b) => b - a).ToList();
        // Each kept gap merges a few older ones, each up to one call (37 bytes) late.
        Assert.That(gaps.Max(), Is.LessThanOrEqualTo(recorder.Interval * 5 / 4));
        Assert.That(offset - offsets[^1], Is.LessThanOrEqualTo(recorder.Interval + 37));
    }

    [Test]
    public void Checkpoints_fall_due_every_interval()
    {
        var recorder = new CheckpointRecorder(interval: 1000);

        Assert.That(recorder.IsDue(999), Is.False);
        Assert.That(recorder.IsDue(1000), Is.True);
        recorder.Add(new DecoderCheckpoint(10, 1200, null));
        Assert.That(recorder.IsDue(2199), Is.False);
        Assert.That(recorder.IsDue(2200), Is.True);
    }
}
