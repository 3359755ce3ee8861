using System.Diagnostics;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Tests.FileSystem.Support;

namespace Kmm.Preflight.Oci.Tests.FileSystem;

/// <summary>Layers written by the real GNU tar (./-prefixed names, GNU and PAX long names, hard links) read back as written.</summary>
public sealed class GnuTarInteropTests
{
    private string _root = string.Empty;

    [SetUp]
    public void CreateTree()
    {
        _root = Path.Combine(Path.GetTempPath(), "kmm-gnutar-" + Guid.NewGuid().ToString("N"));
        var deep = Path.Combine(_root, "src", "usr", "lib", "modules", new string('k', 80), new string('m', 60));
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, "driver.ko"), "module bytes");
        File.WriteAllText(Path.Combine(_root, "src", "usr", "lib", "empty"), string.Empty);
        File.WriteAllBytes(Path.Combine(_root, "src", "usr", "lib", "block"), new byte[512]);
        File.CreateSymbolicLink(Path.Combine(_root, "src", "lib"), "usr/lib");
        File.CreateSymbolicLink(Path.Combine(_root, "src", "usr", "lib", "abs"), "/usr/lib/empty");
        Link(Path.Combine(deep, "driver.ko"), Path.Combine(_root, "src", "usr", "lib", "hard.ko"));
    }

    [TearDown]
    public void DeleteTree() => Directory.Delete(_root, recursive: true);

    [TestCase("gnu")]
    [TestCase("posix")]
    [TestCase("ustar")]
    public async Task LayerFromGnuTarListsAsWritten(string format)
    {
        var tarFile = Path.Combine(_root, "layer.tar");
        if (format == "ustar")
        {
            // ustar cannot hold the 150-character directory name: leave it out.
            Directory.Delete(Path.Combine(_root, "src", "usr", "lib", "modules"), recursive: true);
            Directory.CreateDirectory(Path.Combine(_root, "src", "usr", "lib", "modules"));
            File.WriteAllText(Path.Combine(_root, "src", "usr", "lib", "hard.ko"), "module bytes");
        }

        Run("tar", $"--format={format} -cf {tarFile} -C {Path.Combine(_root, "src")} .");
        var layer = new InMemoryLayer(LayerCompressor.Gzip(File.ReadAllBytes(tarFile)), MediaType.OciLayerGzip);
        var fs = new ImageFileSystem(TestImages.Create(layer));

        // find lists symlinks without descending them, as the merged view must.
        var expected = Run("find", $"{Path.Combine(_root, "src")} -mindepth 1")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => "/" + Path.GetRelativePath(Path.Combine(_root, "src"), p))
            .Order(StringComparer.Ordinal);
        var listing = await fs.ListAsync("/", recursive: true);

        Assert.That(listing.Select(e => e.Path), Is.EqualTo(expected));
        Assert.That(await fs.ReadAllBytesAsync("/lib/hard.ko"), Is.EqualTo("module bytes"u8.ToArray()));
        Assert.That((await fs.GetEntryAsync("/lib/abs"))!.Path, Is.EqualTo("/usr/lib/empty"));
        Assert.That((await fs.GetEntryAsync("/usr/lib/block"))!.Size, Is.EqualTo(512));
        if (format != "ustar")
        {
            var modules = await fs.FindAsync("/lib/modules", e => e.Path.EndsWith(".ko", StringComparison.Ordinal));
            Assert.That(await fs.ReadAllBytesAsync(modules.Single().Path), Is.EqualTo("module bytes"u8.ToArray()));
        }
    }

    private static void Link(string target, string link) => Run("ln", $"{target} {link}");

    private static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{file} {arguments}: {error}");
        return output.Result;
    }
}
