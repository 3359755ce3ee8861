using System.Diagnostics;
using System.Text;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Oci.Tests.Sources;
using Kmm.Preflight.Testing.Images;
using LibraryArchiveWriter = Kmm.Preflight.Oci.Writing.DockerArchiveWriter;
using TestArchiveWriter = Kmm.Preflight.Testing.Images.DockerArchiveWriter;

namespace Kmm.Preflight.Oci.Tests.Writing;

/// <summary>The library's docker-save writer (what the Build stage loads into engines), read back by our source and by GNU tar.</summary>
[TestFixture]
public sealed class DockerArchiveWriterTests : TemporaryDirectoryFixture
{
    [Test]
    public async Task An_image_written_as_an_archive_reads_back_with_the_same_config_layers_and_files()
    {
        var image = new ImageBuilder(ManifestFormat.Docker)
            .AddLayer(new LayerBuilder().AddFile("etc/os-release", "ID=test\n"), LayerCompression.Gzip)
            .AddLayer(new LayerBuilder().AddFile("opt/mod.ko", "module"), LayerCompression.Zstd)
            .AddLayer(new LayerBuilder().AddFile("opt/raw", "raw"), LayerCompression.None)
            .Build();
        var source = Temp.Combine("source.tar");
        await TestArchiveWriter.WriteAsync(source, [(image, ["example.com/drivers:v1"])], DockerArchiveStyle.Legacy);
        var original = await new DockerArchiveImageSource(source).ResolveAsync(Platform.Default);

        var written = Temp.Combine("written.tar");
        await using (var file = File.Create(written))
        {
            await LibraryArchiveWriter.WriteAsync(original, ["localhost/kmm-preflight/base:1"], file);
        }

        var reread = await new DockerArchiveImageSource(written, "localhost/kmm-preflight/base:1").ResolveAsync(Platform.Default);
        Assert.That((await reread.Config.ReadBytesAsync()).ToArray(), Is.EqualTo((await original.Config.ReadBytesAsync()).ToArray()));
        Assert.That(reread.Layers.Select(l => l.Descriptor.Digest), Is.EqualTo(original.Layers.Select(l => l.Descriptor.Digest)));
        Assert.That(reread.Layers.Select(l => l.Descriptor.MediaType), Is.EqualTo(original.Layers.Select(l => l.Descriptor.MediaType)));
        var files = await LayerContents.ReadAsync(reread.Layers[1]);
        Assert.That(Encoding.UTF8.GetString(files["opt/mod.ko"]), Is.EqualTo("module"));

        // GNU tar, an independent reader, lists the members with their sizes.
        var listing = await Tar("-tvf", written);
        Assert.That(listing, Does.Contain("manifest.json").And.Contain($"blobs/sha256/{original.Manifest.Config.Digest.Hex}"));
        foreach (var layer in original.Layers)
        {
            Assert.That(listing, Does.Contain($"{layer.Descriptor.Size} 1970-01-01 00:00 blobs/sha256/{layer.Descriptor.Digest.Hex}"));
        }
    }

    [Test]
    public void An_image_whose_config_bytes_do_not_match_its_manifest_is_refused()
    {
        var image = new ResolvedImage
        {
            Name = "hand-made",
            Manifest = new ImageManifest { MediaType = MediaType.OciManifest, Config = new Descriptor { MediaType = MediaType.OciConfig, Digest = Oci.References.Digest.Sha256("{}"u8), Size = 2 }, Layers = [], Digest = Oci.References.Digest.Sha256("x"u8) },
            Config = new ImageConfigBlob("{\"os\":\"linux\"}"u8.ToArray()),
            Platform = Platform.Default,
            Layers = [],
        };
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => LibraryArchiveWriter.WriteAsync(image, [], Stream.Null))!.Message, Does.Contain("config digest"));
    }

    private static async Task<string> Tar(params string[] arguments)
    {
        var start = new ProcessStartInfo("tar") { RedirectStandardOutput = true, UseShellExecute = false, Environment = { ["TZ"] = "UTC" } };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, output);
        return output;
    }
}
