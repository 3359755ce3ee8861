using System.Formats.Tar;
using System.Text;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Tar;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.Layers;

public sealed class LayerTarReaderTests
{
    private static async Task<List<(LayerTarEntry Entry, byte[] Data)>> ReadAllAsync(byte[] tar, LayerLimits? limits = null, int maxReadSize = 1_021)
    {
        var result = new List<(LayerTarEntry, byte[])>();
        await using var reader = new LayerTarReader(new NetworkLikeStream(tar, maxReadSize), limits);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            using var data = new MemoryStream();
            var buffer = new byte[333];
            int read;
            while ((read = await reader.ReadDataAsync(buffer)) > 0)
            {
                data.Write(buffer, 0, read);
            }

            result.Add((entry, data.ToArray()));
        }

        return result;
    }

    private static async Task<List<LayerTarEntry>> ReadEntriesAsync(byte[] tar, LayerLimits? limits = null)
    {
        var result = new List<LayerTarEntry>();
        await using var reader = new LayerTarReader(new NetworkLikeStream(tar, 4096), limits);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            result.Add(entry);
        }

        return result;
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(511)]
    [TestCase(512)]
    [TestCase(513)]
    [TestCase(1023)]
    [TestCase(1024)]
    [TestCase(300_001)]
    public async Task BoundarySizesReadBackExactlyAndOffsetsPointAtTheData(int size)
    {
        var content = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
        var tar = new TarBuilder().File("first", content).File("second", "after").Build();

        var entries = await ReadAllAsync(tar);

        Assert.That(entries.Select(e => e.Entry.Name), Is.EqualTo(new[] { "first", "second" }));
        Assert.That(entries[0].Data, Is.EqualTo(content));
        Assert.That(entries[0].Entry.Size, Is.EqualTo(size));
        Assert.That(entries[1].Data, Is.EqualTo("after"u8.ToArray()));
        Assert.That(tar.AsSpan((int)entries[1].Entry.DataOffset, 5).ToArray(), Is.EqualTo("after"u8.ToArray()));
        Assert.That(tar.AsSpan((int)entries[0].Entry.DataOffset, size).ToArray(), Is.EqualTo(content));
    }

    [Test]
    public async Task UnreadDataIsSkippedOnANonSeekableStream()
    {
        var tar = new TarBuilder().File("a", new byte[200_000]).File("b", new byte[3]).Directory("c").Build();

        var entries = await ReadEntriesAsync(tar);

        Assert.That(entries.Select(e => (e.Name, e.Kind)), Is.EqualTo(new[] { ("a", TarEntryKind.RegularFile), ("b", TarEntryKind.RegularFile), ("c", TarEntryKind.Directory) }));
    }

    [Test]
    public async Task PaxLongNamesAndLinkTargets()
    {
        var longName = string.Join('/', Enumerable.Repeat("directory-with-a-long-name", 10)) + "/file.ko";
        var longTarget = "/" + string.Join('/', Enumerable.Repeat("target", 30));
        var tar = new TarBuilder(TarEntryFormat.Pax).File(longName, "x").Symlink("link", longTarget).Build();

        var entries = await ReadEntriesAsync(tar);

        Assert.That(entries[0].Name, Is.EqualTo(longName));
        Assert.That(entries[1].LinkName, Is.EqualTo(longTarget));
        Assert.That(entries[1].Kind, Is.EqualTo(TarEntryKind.SymbolicLink));
    }

    [Test]
    public async Task GnuLongNamesAndLinkTargets()
    {
        var longName = new string('n', 150) + "/" + new string('m', 120);
        var longTarget = new string('t', 200);
        var tar = new TarBuilder(TarEntryFormat.Gnu).File(longName, "x").Hardlink("h", longTarget).Build();

        var entries = await ReadEntriesAsync(tar);

        Assert.That(entries[0].Name, Is.EqualTo(longName));
        Assert.That(entries[1].LinkName, Is.EqualTo(longTarget));
        Assert.That(entries[1].Kind, Is.EqualTo(TarEntryKind.HardLink));
    }

    [Test]
    public async Task UstarPrefixIsJoinedToTheName()
    {
        var name = new string('p', 120) + "/file";
        var tar = new TarBuilder(TarEntryFormat.Ustar).File(name, "x").Build();

        Assert.That((await ReadEntriesAsync(tar))[0].Name, Is.EqualTo(name));
    }

    [Test]
    public async Task PaxSizeOverridesTheHeaderSize()
    {
        var pax = PaxRecord("size", "5");
        var tar = Concat(
            RawHeader("PaxHeaders/f", 'x', pax.Length), Pad(pax),
            RawHeader("f", '0', 0), Pad("hello"u8.ToArray()),
            new byte[1024]);

        var entries = await ReadAllAsync(tar);

        Assert.That(entries.Single().Data, Is.EqualTo("hello"u8.ToArray()));
    }

    [Test]
    public async Task V7DirectoryIsMarkedByATrailingSlash()
    {
        var tar = Concat(RawHeader("olddir/", '\0', 0), RawHeader("olddir/file", '\0', 1), Pad("x"u8.ToArray()), new byte[1024]);

        var entries = await ReadEntriesAsync(tar);

        Assert.That(entries.Select(e => e.Kind), Is.EqualTo(new[] { TarEntryKind.Directory, TarEntryKind.RegularFile }));
    }

    [Test]
    public async Task Base256SizeIsRead()
    {
        var header = RawHeader("f", '0', 0, sizeField: null, base256Size: 600);
        var tar = Concat(header, Pad(new byte[600]), new byte[1024]);

        Assert.That((await ReadAllAsync(tar)).Single().Data, Has.Length.EqualTo(600));
    }

    [Test]
    public async Task ArchiveWithoutEndBlocksEndsCleanly()
    {
        var tar = Concat(RawHeader("only", '0', 3), Pad("abc"u8.ToArray()));

        Assert.That((await ReadAllAsync(tar)).Single().Data, Is.EqualTo("abc"u8.ToArray()));
    }

    [Test]
    public void BadChecksumIsInvalidData()
    {
        var tar = new TarBuilder().File("a", "a").File("b", "b").Build();
        tar[1024 + 10] ^= 0x55;

        var error = Assert.ThrowsAsync<InvalidDataException>(() => ReadEntriesAsync(tar));

        Assert.That(error!.Message, Does.Contain("checksum").And.Contain("offset 1024"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task ChecksumOfUnsignedOrSignedBytesIsAccepted(bool signedChecksum)
    {
        // Bytes of 0x80 and above (a UTF-8 name) make the two sums differ; old writers summed signed bytes.
        var tar = Concat(RawHeader("lib/módulo-ñ.ko", '0', 3, signedChecksum: signedChecksum), Pad("abc"u8.ToArray()), new byte[1024]);

        var entry = (await ReadAllAsync(tar)).Single();

        Assert.That(entry.Data, Is.EqualTo("abc"u8.ToArray()));
    }

    [Test]
    public void ChecksumMatchingNeitherSumIsInvalidData()
    {
        var header = RawHeader("lib/módulo-ñ.ko", '0', 3);
        header[0] = (byte)'L';
        var tar = Concat(header, Pad("abc"u8.ToArray()), new byte[1024]);

        var error = Assert.ThrowsAsync<InvalidDataException>(() => ReadEntriesAsync(tar));

        Assert.That(error!.Message, Does.Contain("checksum mismatch").And.Contain("offset 0"));
    }

    [Test]
    public void ByteSumsMatchAByteByByteSum()
    {
        var random = new Random(11);
        for (var length = 0; length <= 512; length++)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            if (length % 7 == 0)
            {
                bytes.AsSpan().Fill(0xff);
            }

            Assert.That(Kmm.Preflight.Oci.Layers.Tar.ByteSum.Unsigned(bytes), Is.EqualTo(bytes.Sum(b => (long)b)), $"unsigned, {length} bytes");
            Assert.That(Kmm.Preflight.Oci.Layers.Tar.ByteSum.Signed(bytes), Is.EqualTo(bytes.Sum(b => (long)(sbyte)b)), $"signed, {length} bytes");
        }
    }

    [Test]
    public void TruncatedDataIsInvalidData()
    {
        var tar = new TarBuilder().File("a", new byte[5000]).Build()[..3000];

        var error = Assert.ThrowsAsync<InvalidDataException>(() => ReadEntriesAsync(tar));

        Assert.That(error!.Message, Does.Contain("'a'").And.Contain("unexpected end"));
    }

    [Test]
    public void TruncatedHeaderIsInvalidData()
    {
        var tar = new TarBuilder().File("a", "a").File("b", "b").Build()[..1100];

        var error = Assert.ThrowsAsync<InvalidDataException>(() => ReadEntriesAsync(tar));

        Assert.That(error!.Message, Does.Contain("inside a tar header"));
    }

    [Test]
    public void InvalidOctalSizeIsInvalidData()
    {
        var header = RawHeader("a", '0', 0, sizeField: "12x4");

        var error = Assert.ThrowsAsync<InvalidDataException>(() => ReadEntriesAsync(Concat(header, new byte[1024])));

        Assert.That(error!.Message, Does.Contain("size field"));
    }

    [Test]
    public void NotATarIsInvalidData()
    {
        var junk = Encoding.ASCII.GetBytes(new string('z', 2048));

        Assert.ThrowsAsync<InvalidDataException>(() => ReadEntriesAsync(junk));
    }

    [Test]
    public void TooManyEntriesHitsTheLimit()
    {
        var builder = new TarBuilder();
        for (var i = 0; i < 11; i++)
        {
            builder.File($"f{i}", "x");
        }

        var error = Assert.ThrowsAsync<LayerLimitExceededException>(() => ReadEntriesAsync(builder.Build(), new LayerLimits { MaxEntries = 10 }));

        Assert.That(error!.Message, Does.Contain("MaxEntries"));
    }

    [Test]
    public void OversizedPaxHeaderHitsTheLimit()
    {
        var tar = new TarBuilder(TarEntryFormat.Pax).File(new string('a', 3000), "x").Build();

        var error = Assert.ThrowsAsync<LayerLimitExceededException>(() => ReadEntriesAsync(tar, new LayerLimits { MaxHeaderBytes = 1024 }));

        Assert.That(error!.Message, Does.Contain("MaxHeaderBytes"));
    }

    [Test]
    public void OversizedGnuLongNameHitsTheLimit()
    {
        var tar = new TarBuilder(TarEntryFormat.Gnu).File(new string('a', 3000), "x").Build();

        Assert.ThrowsAsync<LayerLimitExceededException>(() => ReadEntriesAsync(tar, new LayerLimits { MaxHeaderBytes = 1024 }));
    }

    [Test]
    public void LongPathHitsTheLimit()
    {
        var tar = new TarBuilder().File(new string('a', 90), "x").Build();

        var error = Assert.ThrowsAsync<LayerLimitExceededException>(() => ReadEntriesAsync(tar, new LayerLimits { MaxPathLength = 80 }));

        Assert.That(error!.Message, Does.Contain("MaxPathLength"));
    }

    [Test]
    public void TooManyUncompressedBytesHitsTheLimit()
    {
        var tar = new TarBuilder().File("big", new byte[100_000]).Build();

        var error = Assert.ThrowsAsync<LayerLimitExceededException>(() => ReadEntriesAsync(tar, new LayerLimits { MaxUncompressedBytes = 50_000 }));

        Assert.That(error!.Message, Does.Contain("MaxUncompressedBytes"));
    }

    private static byte[] PaxRecord(string key, string value)
    {
        // The length prefix counts itself: find the fixpoint.
        var body = $" {key}={value}\n";
        var length = body.Length + 1;
        while (length != body.Length + length.ToString().Length)
        {
            length = body.Length + length.ToString().Length;
        }

        return Encoding.UTF8.GetBytes(length + body);
    }

    /// <summary>A ustar header written byte by byte, with a correct checksum.</summary>
    private static byte[] RawHeader(string name, char type, long size, string? sizeField = null, long? base256Size = null, bool signedChecksum = false)
    {
        var header = new byte[512];
        Encoding.UTF8.GetBytes(name).CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes((sizeField ?? Convert.ToString(size, 8).PadLeft(11, '0')) + "\0").CopyTo(header, 124);
        if (base256Size is { } big)
        {
            header.AsSpan(124, 12).Clear();
            header[124] = 0x80;
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(128, 8), big);
        }

        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = (byte)type;
        "ustar\0"u8.CopyTo(header.AsSpan(257));
        "00"u8.CopyTo(header.AsSpan(263));
        var sum = 8 * ' ';
        for (var i = 0; i < 512; i++)
        {
            sum += i is >= 148 and < 156 ? 0 : signedChecksum ? (sbyte)header[i] : header[i];
        }

        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        return header;
    }

    private static byte[] Pad(byte[] data) => [.. data, .. new byte[(512 - (data.Length % 512)) % 512]];

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
