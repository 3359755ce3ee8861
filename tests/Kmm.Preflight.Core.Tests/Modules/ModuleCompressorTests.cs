using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Testing.Signing;

namespace Kmm.Preflight.Core.Tests.Modules;

/// <summary>ModuleCompression.Compress, judged by the real decompressors (our xz encoder most of all: it is our own LZMA2 chunking).</summary>
public class ModuleCompressorTests
{
    private static IEnumerable<TestCaseData> Inputs()
    {
        yield return new TestCaseData("empty", Array.Empty<byte>());
        yield return new TestCaseData("one byte", new byte[] { 42 });
        var random = new Random(7);
        var noise = new byte[300_000];
        random.NextBytes(noise);
        yield return new TestCaseData("incompressible 300 KB", noise);
        // Over 2 MiB and compressible past 64 KiB per chunk: several LZMA2 chunks, some split for size.
        var mixed = new byte[5 * 1024 * 1024 + 17];
        for (var i = 0; i < mixed.Length; i++)
        {
            mixed[i] = (byte)(i % 251 < 120 ? random.Next(256) : i * 7 / 13);
        }

        yield return new TestCaseData("mixed 5 MiB", mixed);
    }

    [TestCaseSource(nameof(Inputs))]
    public async Task Xz_output_decompresses_with_xz_and_our_decoder(string name, byte[] data)
    {
        var compressed = ModuleCompression.Compress(data, "xz");
        Assert.That(Decompress(compressed, "xz"), Is.EqualTo(data), name);
        Assert.That(await ModuleCompression.DecompressAsync(compressed), Is.EqualTo(data), name);
    }

    [TestCase("zstd")]
    [TestCase("gzip")]
    public void Zstd_and_gzip_output_decompress_with_the_tools(string format)
    {
        var data = File.ReadAllBytes(Path.Combine(Kmm.Preflight.Testing.Data.RepositoryTestData.ModulesDirectory, "veth.ko"));
        var compressed = ModuleCompression.Compress(data, format);
        Assert.That(ModuleCompression.Detect(compressed), Is.EqualTo(format));
        Assert.That(compressed, Has.Length.LessThan(data.Length));
        Assert.That(Decompress(compressed, format), Is.EqualTo(data));
    }

    [Test]
    public void Unknown_format_is_an_argument_error() =>
        Assert.That(() => ModuleCompression.Compress([1, 2, 3], "bzip2"), Throws.ArgumentException.With.Message.Contains("bzip2"));

    private static byte[] Decompress(byte[] data, string tool)
    {
        var directory = Directory.CreateTempSubdirectory("kmm-compress-");
        try
        {
            var input = Path.Combine(directory.FullName, "data.bin");
            File.WriteAllBytes(input, data);
            var start = new System.Diagnostics.ProcessStartInfo(SigningTools.Require(tool)) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-d", "-c", input })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = System.Diagnostics.Process.Start(start)!;
            using var output = new MemoryStream();
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            Assert.That(process.ExitCode, Is.Zero, error.Result);
            return output.ToArray();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
