using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;
using Kmm.Preflight.Oci.Tests.Sources;
using Kmm.Preflight.Oci.Writing;

namespace Kmm.Preflight.Oci.Tests.Writing;

public sealed class LayerWriterTests : TemporaryDirectoryFixture
{
    private static async Task<WrittenLayer> WriteSampleAsync(LayerWriter writer)
    {
        await using (writer)
        {
            await writer.AddDirectoryAsync("/opt/lib", new LayerEntryMetadata { Mode = (UnixFileMode)0x1C0 /* 0700 */ });
            await writer.AddFileAsync("/opt/lib/modules/6.1.0-56-amd64/extra/dummy.ko", "signed module"u8.ToArray(),
                new LayerEntryMetadata { Mode = (UnixFileMode)0x1A4, Uid = 1000, Gid = 1001, ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000) });
            await writer.AddSymlinkAsync("lib", "usr/lib");
            await writer.AddHardLinkAsync("./opt/lib/modules/6.1.0-56-amd64/extra/again.ko", "opt/lib/modules/6.1.0-56-amd64/extra/dummy.ko");
            await writer.AddWhiteoutAsync("etc/old.conf");
            return await writer.CompleteAsync();
        }
    }

    private static byte[] Gunzip(byte[] blob)
    {
        using var gzip = new GZipStream(new MemoryStream(blob), CompressionMode.Decompress);
        using var tar = new MemoryStream();
        gzip.CopyTo(tar);
        return tar.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(WrittenLayer layer)
    {
        await using var stream = await layer.OpenAsync();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Test]
    public async Task Digest_size_and_diff_id_are_those_of_the_bytes_written_in_one_pass()
    {
        using var layer = await WriteSampleAsync(LayerWriter.CreateInMemory());

        var blob = await ReadAllAsync(layer);
        var tar = Gunzip(blob);

        Assert.That(layer.Descriptor.MediaType, Is.EqualTo(MediaType.OciLayerGzip));
        Assert.That(layer.Descriptor.Digest, Is.EqualTo(Digest.Sha256(blob)));
        Assert.That(layer.Descriptor.Size, Is.EqualTo(blob.Length));
        Assert.That(layer.DiffId, Is.EqualTo(Digest.Sha256(tar)));
        Assert.That(layer.UncompressedSize, Is.EqualTo(tar.Length));
        Assert.That(tar.Length % 512, Is.Zero);
    }

    [Test]
    public async Task The_same_entries_give_the_same_digest_in_memory_and_in_a_file()
    {
        using var first = await WriteSampleAsync(LayerWriter.CreateInMemory());
        using var second = await WriteSampleAsync(LayerWriter.CreateFile(Temp.Combine("layer.tgz")));

        Assert.That(second.Descriptor, Is.EqualTo(first.Descriptor).Using<Descriptor>((a, b) => a.Digest == b.Digest && a.Size == b.Size));
        Assert.That(second.DiffId, Is.EqualTo(first.DiffId));
        Assert.That(File.ReadAllBytes(Temp.Combine("layer.tgz")), Is.EqualTo(await ReadAllAsync(first)));
    }

    [Test]
    public async Task Gzip_header_has_no_name_and_no_time_like_gzip_n()
    {
        using var layer = await WriteSampleAsync(LayerWriter.CreateInMemory());

        var blob = await ReadAllAsync(layer);

        Assert.That(blob[..3], Is.EqualTo(new byte[] { 0x1f, 0x8b, 8 }));
        Assert.That(blob[3], Is.Zero, "FLG: no name, comment or extra field");
        Assert.That(blob[4..8], Is.EqualTo(new byte[4]), "MTIME 0");
    }

    [Test]
    public async Task Gnu_tar_reads_every_entry_with_its_metadata_and_parents_first()
    {
        ExternalTool.RequireOrIgnore("tar");
        var path = Temp.Combine("layer.tgz");
        using var layer = await WriteSampleAsync(LayerWriter.CreateFile(path));

        var listing = await ExternalTool.RunAsync("tar", "--numeric-owner", "--full-time", "-tvzf", path);

        var lines = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.That(lines.Select(l => l.Split(' ')[5]), Is.EqualTo(new[]
        {
            "opt/", "opt/lib/", "opt/lib/modules/", "opt/lib/modules/6.1.0-56-amd64/", "opt/lib/modules/6.1.0-56-amd64/extra/",
            "opt/lib/modules/6.1.0-56-amd64/extra/dummy.ko", "lib", "opt/lib/modules/6.1.0-56-amd64/extra/again.ko", "etc/", "etc/.wh.old.conf",
        }));
        Assert.That(lines[0], Does.StartWith("drwxr-xr-x 0/0 0 1970-01-01 00:00:00"));
        Assert.That(lines[1], Does.StartWith("drwx------ 0/0"));
        Assert.That(lines[5], Does.StartWith("-rw-r--r-- 1000/1001 13 2023-11-14 22:13:20"));
        Assert.That(lines[6], Does.EndWith("lib -> usr/lib"));
        Assert.That(lines[6], Does.StartWith("lrwxrwxrwx 0/0"));
        Assert.That(lines[7], Does.EndWith("again.ko link to opt/lib/modules/6.1.0-56-amd64/extra/dummy.ko"));
    }

    [Test]
    public async Task Long_and_non_ascii_names_and_link_targets_survive_through_pax()
    {
        var deep = string.Join('/', Enumerable.Range(0, 30).Select(i => $"directory{i}")) + "/module.ko";
        var split = "usr/" + new string('p', 120) + "/" + new string('n', 90);
        var unicode = "opt/modules/été-日本.ko";
        var target = "/" + new string('t', 150);
        await using var writer = LayerWriter.CreateInMemory();
        await writer.AddFileAsync(deep, "deep"u8.ToArray());
        await writer.AddFileAsync(split, "split"u8.ToArray());
        await writer.AddFileAsync(unicode, "unicode"u8.ToArray());
        await writer.AddSymlinkAsync("opt/long-link", target);
        using var layer = await writer.CompleteAsync();

        var entries = new Dictionary<string, TarEntry>();
        await using (var reader = new TarReader(new MemoryStream(Gunzip(await ReadAllAsync(layer)))))
        {
            while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
            {
                entries[entry.Name] = entry;
            }
        }

        Assert.That(entries.Keys, Does.Contain(deep).And.Contain(split).And.Contain(unicode).And.Contain("opt/long-link"));
        Assert.That(entries["opt/long-link"].LinkName, Is.EqualTo(target));
        Assert.That(entries[split].Format, Is.EqualTo(TarEntryFormat.Ustar), "a name that fits ustar's prefix and name fields needs no PAX header");
        Assert.That(entries[deep].Format, Is.EqualTo(TarEntryFormat.Pax));
        var fileSystem = new ImageFileSystem(TestImages.Create(layer));
        Assert.That(Encoding.UTF8.GetString(await fileSystem.ReadAllBytesAsync(unicode)), Is.EqualTo("unicode"));
        Assert.That(Encoding.UTF8.GetString(await fileSystem.ReadAllBytesAsync(deep)), Is.EqualTo("deep"));
    }

    [Test]
    public async Task Image_file_system_reads_a_written_layer_over_a_base_layer()
    {
        await using var lower = LayerWriter.CreateInMemory();
        await lower.AddFileAsync("etc/old.conf", "old"u8.ToArray());
        await lower.AddFileAsync("usr/lib/modules/k/kernel/a.ko", "unsigned"u8.ToArray());
        using var bottom = await lower.CompleteAsync();
        using var top = await WriteSampleAsync(LayerWriter.CreateTemporaryFile(new LayerWriterOptions { TemporaryDirectory = Temp.Path }));

        var fileSystem = new ImageFileSystem(TestImages.Create(bottom, top));

        Assert.That(await fileSystem.GetEntryAsync("/etc/old.conf"), Is.Null, "the whiteout hides the lower file");
        Assert.That(Encoding.UTF8.GetString(await fileSystem.ReadAllBytesAsync("/lib/modules/k/kernel/a.ko")), Is.EqualTo("unsigned"), "lib -> usr/lib");
        Assert.That(Encoding.UTF8.GetString(await fileSystem.ReadAllBytesAsync("/opt/lib/modules/6.1.0-56-amd64/extra/again.ko")), Is.EqualTo("signed module"));
    }

    [TestCase(LayerWriterCompression.Zstd, "application/vnd.oci.image.layer.v1.tar+zstd")]
    [TestCase(LayerWriterCompression.None, "application/vnd.oci.image.layer.v1.tar")]
    public async Task Other_compressions_have_their_media_type_and_are_readable(LayerWriterCompression compression, string mediaType)
    {
        using var layer = await WriteSampleAsync(LayerWriter.CreateInMemory(new LayerWriterOptions { Compression = compression }));

        var contents = await LayerContents.ReadAsync(layer);

        Assert.That(layer.Descriptor.MediaType.Value, Is.EqualTo(mediaType));
        Assert.That(Encoding.UTF8.GetString(contents["opt/lib/modules/6.1.0-56-amd64/extra/dummy.ko"]), Is.EqualTo("signed module"));
        if (compression == LayerWriterCompression.None)
        {
            Assert.That(layer.DiffId, Is.EqualTo(layer.Descriptor.Digest));
        }
    }

    [Test]
    public async Task File_content_is_streamed_and_its_length_checked()
    {
        var content = new byte[300_000];
        new Random(5).NextBytes(content);
        await using var writer = LayerWriter.CreateInMemory();
        await writer.AddFileAsync("big.bin", new MemoryStream(content), content.Length);
        using var layer = await writer.CompleteAsync();

        Assert.That((await LayerContents.ReadAsync(layer))["big.bin"], Is.EqualTo(content));

        await using var shortWriter = LayerWriter.CreateInMemory();
        Assert.ThrowsAsync<InvalidDataException>(() => shortWriter.AddFileAsync("short.bin", new MemoryStream(new byte[10]), 11));
        Assert.ThrowsAsync<InvalidOperationException>(() => shortWriter.CompleteAsync(), "a layer whose entry was cut short must not be completed");
        await using var longWriter = LayerWriter.CreateInMemory();
        Assert.ThrowsAsync<InvalidDataException>(() => longWriter.AddFileAsync("long.bin", new MemoryStream(new byte[12]), 11));
    }

    [Test]
    public async Task Refused_entries_leave_the_layer_usable()
    {
        await using var writer = LayerWriter.CreateInMemory();
        await writer.AddFileAsync("etc/hosts", "x"u8.ToArray());

        Assert.Throws<ArgumentException>(() => writer.AddFileAsync("/etc/hosts", "y"u8.ToArray()));
        Assert.Throws<ArgumentException>(() => writer.AddFileAsync("etc/hosts/inner", "y"u8.ToArray()));
        Assert.Throws<ArgumentException>(() => writer.AddFileAsync("../escape", "y"u8.ToArray()));
        Assert.Throws<ArgumentException>(() => writer.AddDirectoryAsync("/"));
        Assert.Throws<ArgumentException>(() => writer.AddDirectoryAsync("etc"), "etc was added as a parent already");
        Assert.Throws<ArgumentException>(() => writer.AddHardLinkAsync("link", "etc/missing"));
        Assert.Throws<ArgumentException>(() => writer.AddFileAsync("negative", "y"u8.ToArray(), new LayerEntryMetadata { Uid = -1 }));
        await writer.AddFileAsync("etc/other", "z"u8.ToArray());
        using var layer = await writer.CompleteAsync();

        Assert.That((await LayerContents.ReadAsync(layer)).Keys, Is.EquivalentTo(new[] { "etc", "etc/hosts", "etc/other" }));
        Assert.ThrowsAsync<InvalidOperationException>(() => writer.AddFileAsync("late", "y"u8.ToArray()));
    }

    [Test]
    public async Task A_temporary_layer_file_is_deleted_with_the_layer_or_an_abandoned_writer()
    {
        var options = new LayerWriterOptions { TemporaryDirectory = Temp.Path };
        var layer = await WriteSampleAsync(LayerWriter.CreateTemporaryFile(options));
        Assert.That(File.Exists(layer.FilePath), Is.True);

        layer.Dispose();

        Assert.That(File.Exists(layer.FilePath), Is.False);
        Assert.ThrowsAsync<ObjectDisposedException>(() => layer.OpenAsync());
        await using (var abandoned = LayerWriter.CreateTemporaryFile(options))
        {
            await abandoned.AddFileAsync("x", "x"u8.ToArray());
        }

        Assert.That(Directory.GetFiles(Temp.Path), Is.Empty);
    }

    [Test]
    public async Task A_tampered_layer_file_fails_verification_when_read()
    {
        var path = Temp.Combine("layer.tgz");
        using var layer = await WriteSampleAsync(LayerWriter.CreateFile(path));
        var bytes = File.ReadAllBytes(path);
        bytes[^9] ^= 1;
        File.WriteAllBytes(path, bytes);

        Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(layer));
    }
}
