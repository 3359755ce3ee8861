using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Fuzzing;

namespace Kmm.Preflight.Oci.Tests.Hostile;

/// <summary>
/// In-process fuzzing with a fixed seed (the CI form of docs/fuzzing.md): thousands of mutations of the hostile corpus
/// and of well-formed inputs through the tar reader, the decompressors and the manifest parser. Each must either
/// succeed or throw the exception its contract documents; anything else fails with the input saved for the corpus.
/// </summary>
[Category("Fuzz")]
public sealed class MutationFuzzTests
{
    private const int Seed = 20261201;
    private static readonly LayerLimits Limits = new() { MaxUncompressedBytes = 64L * 1024 * 1024, MaxHeaderBytes = 64 * 1024 };

    [Test]
    public async Task Tar_reader_survives_mutated_layers()
    {
        var seeds = Seeds("tar", maxBytes: 64 * 1024).Append(WellFormedTar()).ToList();
        await FuzzAsync(seeds, 4000, bytes => LayerDrive.ReadAsync(bytes, MediaType.OciLayerTar, Limits), typeof(InvalidDataException), typeof(LayerLimitExceededException));
    }

    [TestCase("gzip")]
    [TestCase("zstd")]
    public async Task Decompressors_survive_mutated_layers(string format)
    {
        var tar = WellFormedTar();
        var compressed = format == "gzip" ? Gzip(tar) : Seeds("compression", maxBytes: 4096).Where(s => s.AsSpan().StartsWith((byte[])[0x28, 0xb5, 0x2f, 0xfd])).First();
        var mediaType = format == "gzip" ? MediaType.OciLayerGzip : MediaType.OciLayerZstd;
        await FuzzAsync([compressed], 1500, bytes => LayerDrive.ReadAsync(bytes, mediaType, Limits), typeof(InvalidDataException), typeof(LayerLimitExceededException));
    }

    [Test]
    public async Task Manifest_parser_survives_mutated_documents()
    {
        var seeds = Seeds("oci", maxBytes: 64 * 1024).Append(Encoding.UTF8.GetBytes(WellFormedManifest)).ToList();
        await FuzzAsync(seeds, 6000, bytes => Task.FromResult(ManifestParser.Parse(bytes, contentType: null, "fuzz")), typeof(InvalidDataException));
    }

    [Test]
    public async Task Reference_parser_survives_mutated_names()
    {
        var seeds = Seeds("references", maxBytes: 4096).Append("127.0.0.1:5000/kmm/dummy:6.1.0@sha256:"u8.ToArray().Concat(new byte[64].Select(_ => (byte)'a')).ToArray()).ToList();
        await FuzzAsync(seeds, 6000, bytes => Task.FromResult(ImageReference.TryParse(Encoding.UTF8.GetString(bytes), out _, out _)));
    }

    private static async Task FuzzAsync<T>(IReadOnlyList<byte[]> seeds, int iterations, Func<byte[], Task<T>> target, params Type[] allowed)
    {
        var mutator = new ByteMutator(seeds, Seed);
        for (var i = 0; i < iterations; i++)
        {
            var input = mutator.Next();
            try
            {
                await target(input).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception e) when (allowed.Contains(e.GetType()))
            {
                // The documented failure for bad input.
            }
            catch (Exception e)
            {
                var saved = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"fuzz-finding-{TestContext.CurrentContext.Test.MethodName}-{i}.bin");
                await File.WriteAllBytesAsync(saved, input);
                Assert.Fail($"iteration {i} (seed {Seed}): {e.GetType().Name}: {e.Message}; input saved as {saved} (add it to tests/testdata/hostile)\n{e}");
            }
        }
    }

    private static IEnumerable<byte[]> Seeds(string area, int maxBytes)
        => HostileCorpus.Files(area).Where(f => new FileInfo(f).Length <= maxBytes).Select(File.ReadAllBytes);

    private static byte[] WellFormedTar()
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "opt/lib/modules/6.1.0/"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "opt/lib/modules/6.1.0/extra/dummy.ko") { DataStream = new MemoryStream(new byte[1500]) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "lib") { LinkName = "usr/lib" });
            writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "a/" + new string('n', 150)) { DataStream = new MemoryStream(new byte[10]) });
        }

        return stream.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private const string WellFormedManifest = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
         "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":10},
         "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","size":20,
                    "annotations":{"a":"b"},"urls":["https://example.com/x"]}],
         "annotations":{"org.opencontainers.image.created":"2026-12-01"}}
        """;
}
