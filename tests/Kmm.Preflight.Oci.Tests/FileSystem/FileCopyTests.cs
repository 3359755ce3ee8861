using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem;

/// <summary><see cref="ImageFileSystem.CopyFileToAsync"/>: a file streamed out of its layer in bounded chunks.</summary>
public sealed class FileCopyTests
{
    private static readonly byte[] Big = RandomBytes(3 * 1024 * 1024 + 17);

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        new Random(5).NextBytes(bytes);
        return bytes;
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_large_file_is_written_whole_in_chunks_no_larger_than_the_read_buffer(bool compressed)
    {
        var tar = new TarBuilder().Directory("opt").File("opt/small", "x").File("opt/big.bin", Big).Symlink("big", "opt/big.bin");
        var fs = new ImageFileSystem(TestImages.Create(compressed ? InMemoryLayer.Gzip(tar) : InMemoryLayer.Tar(tar)));
        var destination = new RecordingStream();

        var written = await fs.CopyFileToAsync("/big", destination);

        Assert.That(written, Is.EqualTo(Big.Length));
        Assert.That(destination.ToArray(), Is.EqualTo(Big));
        Assert.That(destination.LargestWrite, Is.LessThanOrEqualTo(128 * 1024), "the file is never buffered whole");
    }

    [Test]
    public async Task Content_kept_while_indexing_is_written_without_reading_the_layer_again()
    {
        var layer = InMemoryLayer.Gzip(new TarBuilder().Directory("m").File("m/x.ko", "module bytes"));
        var fs = new ImageFileSystem(TestImages.Create(layer), new ImageFileSystemOptions { RetainContent = (path, _) => path.EndsWith(".ko", StringComparison.Ordinal) });
        await fs.GetEntryAsync("/m/x.ko");
        var opens = layer.Opens;
        using var destination = new MemoryStream();

        await fs.CopyFileToAsync("/m/x.ko", destination);

        Assert.That(destination.ToArray(), Is.EqualTo("module bytes"u8.ToArray()));
        Assert.That(layer.Opens, Is.EqualTo(opens));
    }

    [Test]
    public async Task An_empty_file_writes_nothing()
    {
        var fs = new ImageFileSystem(TestImages.Create(InMemoryLayer.Gzip(new TarBuilder().File("empty", []))));
        using var destination = new MemoryStream();

        Assert.That(await fs.CopyFileToAsync("/empty", destination), Is.Zero);
        Assert.That(destination.Length, Is.Zero);
    }

    [Test]
    public void A_directory_or_a_missing_path_is_refused_naming_the_path()
    {
        var fs = new ImageFileSystem(TestImages.Create(InMemoryLayer.Gzip(new TarBuilder().Directory("etc").File("etc/motd", "hi"))));

        var directory = Assert.ThrowsAsync<InvalidDataException>(() => fs.CopyFileToAsync("/etc", Stream.Null));
        var missing = Assert.ThrowsAsync<FileNotFoundException>(() => fs.CopyFileToAsync("/etc/nope", Stream.Null));

        Assert.That(directory!.Message, Does.Contain("'/etc'").And.Contain("not a regular file"));
        Assert.That(missing!.Message, Does.Contain("/etc/nope"));
    }

    /// <summary>Keeps what is written and the size of the largest single write.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public int LargestWrite { get; private set; }

        // Each override records and calls the same overload of the base, which may route one overload to another.
        public override void Write(byte[] buffer, int offset, int count)
        {
            Record(count);
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Record(buffer.Length);
            base.Write(buffer);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Record(buffer.Length);
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Record(count);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        private void Record(int count) => LargestWrite = Math.Max(LargestWrite, count);
    }
}
