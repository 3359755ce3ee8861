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

        buffer.PopulateAhead();
        for (var i = 4096; i < span.Length; i++)
        {
            span[i] = (byte)i;
        }

        Assert.That(span[..4096].ToArray(), Is.All.EqualTo(7));
        for (var i = 4096; i < span.Length; i += 4093)
        {
            Assert.That(span[i], Is.EqualTo((byte)i), $"byte {i}");
        }
    }

    [Test]
    public void DisposedBufferIsNotUsable()
    {
        var buffer = new TocJsonBuffer(1 << 20);
        buffer.PopulateAhead();
        buffer.Dispose();

        Assert.That(() => buffer.GetSpan(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(buffer.Dispose, Throws.Nothing, "a second dispose");
    }
}
