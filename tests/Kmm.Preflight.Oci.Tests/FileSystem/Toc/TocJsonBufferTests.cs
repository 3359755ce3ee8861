using Kmm.Preflight.Oci.FileSystem.Toc;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>The native buffer a TOC is decompressed into: mapping its pages ahead must never change what is written.</summary>
public class TocJsonBufferTests
{
    [Test]
    public void WritesBeforeAndWhileThePagesAreMappedAheadAreKept()
    {
        using var buffer = new TocJsonBuffer(8 * 1024 * 1024);
        var span = buffer.GetSpan();
        span[..4096].Fill(7);

        var mapped = buffer.Follow(() => 0, mapPagesFirst: true);
        for (var i = 4096; i < span.Length; i++)
        {
            span[i] = (byte)i;
        }

        mapped.Wait();

        Assert.That(span[..4096].ToArray(), Is.All.EqualTo(7));
        for (var i = 4096; i < span.Length; i += 4093)
        {
            Assert.That(span[i], Is.EqualTo((byte)i), $"byte {i}");
        }
    }

    [Test]
    public void WritesWhileTheFollowerMapsThePagesFirstAreKept()
    {
        using var buffer = new TocJsonBuffer(8 * 1024 * 1024);
        var followed = buffer.Follow(
            () =>
            {
                var written = buffer.WaitFor(buffer.Memory.Length);
                var span = buffer.GetSpan();
                for (var i = 0; i < written; i += 4093)
                {
                    if (span[i] != (byte)i)
                    {
                        return i;
                    }
                }

                return -1;
            },
            mapPagesFirst: true);
        var bytes = buffer.GetSpan();
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)i;
            if ((i & 0xFFFF) == 0)
            {
                buffer.Advance(i);
            }
        }

        buffer.Complete(bytes.Length);

        Assert.That(followed.Result, Is.EqualTo(-1), "the first byte that did not keep what was written");
    }

    [Test]
    public void DisposedBufferIsNotUsable()
    {
        var buffer = new TocJsonBuffer(1 << 20);
        buffer.Follow(() => 0, mapPagesFirst: true);
        buffer.Dispose();

        Assert.That(() => buffer.GetSpan(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(buffer.Dispose, Throws.Nothing, "a second dispose");
    }

    [Test]
    public void ABufferFreedInTheBackgroundWaitsForItsFollowerThenIsNotUsable()
    {
        var buffer = new TocJsonBuffer(1 << 20);
        using var reading = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var followed = buffer.Follow(() =>
        {
            reading.Set();
            release.Wait(TimeSpan.FromSeconds(10));
            return buffer.GetSpan()[12];
        });
        buffer.GetSpan()[12] = 42;
        buffer.Complete(1 << 20);
        Assert.That(reading.Wait(TimeSpan.FromSeconds(10)), Is.True);

        buffer.DisposeInBackground();
        Thread.Sleep(50);
        Assert.That(followed.IsCompleted, Is.False, "the follower still reads");
        release.Set();
        Assert.That(followed.Result, Is.EqualTo(42), "read before the memory was freed");

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!IsFreed(buffer) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(5);
        }

        Assert.That(() => buffer.GetSpan(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(buffer.Dispose, Throws.Nothing, "a dispose after the background one");
    }

    private static bool IsFreed(TocJsonBuffer buffer)
    {
        try
        {
            buffer.GetSpan();
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }
}
