using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using Kmm.Preflight.Testing.Images;

namespace Kmm.Preflight.Oci.Tests.Sources;

/// <summary>The test image builders, checked with GNU tar, gzip and zstd.</summary>
[TestFixture]
public sealed class TestImageBuilderTests : TemporaryDirectoryFixture
{
    [TestCase(TarEntryFormat.Pax)]
    [TestCase(TarEntryFormat.Gnu)]
    public async Task Entries_are_spelled_as_asked_and_gnu_tar_reads_them(TarEntryFormat format)
    {
        var longName = "opt/" + string.Join('/', Enumerable.Repeat("a-rather-long-directory-name", 6)) + "/mod.ko";
        var layer = new LayerBuilder()
            .WithFormat(format)
            .AddDirectory("opt")
            .AddFile(longName, "x"u8.ToArray())
            .AddSymlink("lib", "usr/lib")
            .AddHardlink("opt/hard", longName)
            .AddWhiteout("opt/gone.ko")
            .AddOpaqueWhiteout("etc")
            .WithNameStyle(TarNameStyle.DotSlash)
            .AddFile("dotted", "d"u8.ToArray())
            .AddRaw(TarEntryType.Directory, "/")
            .AddRaw(TarEntryType.RegularFile, "/absolute", "a"u8.ToArray());
        var tarFile = Temp.Combine("layer.tar");
        await File.WriteAllBytesAsync(tarFile, layer.ToTar());

        var listing = (await ExternalTool.RunAsync("tar", "-tf", tarFile)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(listing, Is.EqualTo(new[]
        {
            "opt/", longName, "lib", "opt/hard", "opt/.wh.gone.ko", "etc/.wh..wh..opq", "./dotted", "/", "/absolute",
        }));
    }

    [TestCase(LayerCompression.Gzip, "gzip", 0)]
    [TestCase(LayerCompression.Gzip, "gzip", 1000)]
    [TestCase(LayerCompression.Zstd, "zstd", 0)]
    [TestCase(LayerCompression.Zstd, "zstd", 1000)]
    public async Task Compressed_blob_decompresses_with_the_real_tool_to_the_tar(LayerCompression compression, string tool, int frameSize)
    {
        ExternalTool.RequireOrIgnore(tool);
        var layer = Enumerable.Range(0, 20).Aggregate(new LayerBuilder(), (b, i) => b.AddFile($"f{i}", RandomNumberGenerator.GetBytes(300)));
        var blob = layer.Build(new LayerBlobOptions { Compression = compression, FrameSize = frameSize, LeadingSkippableFrame = frameSize > 0 });
        var blobFile = Temp.Combine("blob");
        await File.WriteAllBytesAsync(blobFile, blob.Content!);

        var tar = await DecompressAsync(tool, blobFile);

        Assert.That(tar, Is.EqualTo(layer.ToTar()));
        Assert.That(blob.DiffId.Hex, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(tar))));
        Assert.That(blob.Digest.Hex, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(blob.Content!))));
        Assert.That(blob.UncompressedSize, Is.EqualTo(tar.Length));
        if (frameSize > 0)
        {
            byte[] magic = compression == LayerCompression.Zstd ? [0x28, 0xb5, 0x2f, 0xfd] : [0x1f, 0x8b, 0x08];
            Assert.That(CountOccurrences(blob.Content!, magic), Is.GreaterThan(1), "expected several frames/members");
        }
    }

    [Test]
    public async Task Layer_streamed_to_a_layout_matches_the_one_built_in_memory()
    {
        var source = Temp.Combine("tree");
        Directory.CreateDirectory(Path.Combine(source, "kernel", "drivers"));
        await File.WriteAllTextAsync(Path.Combine(source, "kernel", "drivers", "a.ko"), "a");
        await File.WriteAllTextAsync(Path.Combine(source, "modules.dep"), "kernel/drivers/a.ko:\n");
        File.CreateSymbolicLink(Path.Combine(source, "build"), "/usr/src/linux");
        var layer = new LayerBuilder().AddTree("opt/lib/modules/k", source);
        var writer = new OciLayoutWriter(Temp.Combine("layout"));

        var onDisk = await writer.WriteLayerAsync(layer, new LayerBlobOptions { Compression = LayerCompression.Zstd });
        var inMemory = layer.Build(LayerCompression.Zstd);

        Assert.That(onDisk.Digest, Is.EqualTo(inMemory.Digest));
        Assert.That(File.Exists(writer.BlobPath(onDisk.Digest)), Is.True);
        var names = new List<string>();
        await using var reader = new TarReader(new MemoryStream(layer.ToTar()));
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            names.Add($"{entry.EntryType}:{entry.Name}");
        }

        Assert.That(names, Is.EqualTo(new[]
        {
            "Directory:opt/lib/modules/k/", "SymbolicLink:opt/lib/modules/k/build", "Directory:opt/lib/modules/k/kernel/",
            "Directory:opt/lib/modules/k/kernel/drivers/", "RegularFile:opt/lib/modules/k/kernel/drivers/a.ko", "RegularFile:opt/lib/modules/k/modules.dep",
        }));
    }

    private static async Task<byte[]> DecompressAsync(string tool, string file)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-dc");
        start.ArgumentList.Add(file);
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(output);
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, error);
        return output.ToArray();
    }

    private static int CountOccurrences(byte[] haystack, byte[] needle)
    {
        var count = 0;
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                count++;
            }
        }

        return count;
    }
}
