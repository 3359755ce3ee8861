using System.Net.Http.Headers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;
using Kmm.Preflight.Testing.Toc;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>
/// One gzip image pushed by us, and its zstd:chunked (skopeo) and eStargz (ctr-remote) versions made by independent
/// tools, in the shared plain-HTTP test registry. Made once per test run.
/// </summary>
internal sealed class TocImageFixture
{
    public const string Kernel = "6.1.0-56-amd64";
    public const string ModulePath = $"/opt/lib/modules/{Kernel}/extra/dummy.ko";
    public const string BigFilePath = "/opt/data/big.bin";

    private static readonly Lazy<Task<TocImageFixture>> Shared = new(CreateAsync);

    private TocImageFixture(RegistryProcess registry, string repository)
    {
        Registry = registry;
        Repository = repository;
    }

    public RegistryProcess Registry { get; }

    /// <summary>The repository prefix of this run's images, e.g. <c>toc-1a2b3c4d</c>.</summary>
    public string Repository { get; }

    /// <summary>The gzip original.</summary>
    public string Source => $"{Repository}/src:v1";

    /// <summary>zstd:chunked by skopeo 1.9 (the <c>io.containers.zstd-chunked.*</c> annotations).</summary>
    public string ZstdChunked => $"{Repository}/zstd-chunked:v1";

    /// <summary>The same blob with the annotations renamed to the current <c>io.github.containers.zstd-chunked.*</c> family.</summary>
    public string ZstdChunkedCurrent => $"{Repository}/zstd-chunked-current:v1";

    /// <summary>eStargz by <c>ctr-remote images convert --estargz</c>.</summary>
    public string Estargz => $"{Repository}/estargz:v1";

    /// <summary>The large incompressible file (several zstd:chunked chunks).</summary>
    public static byte[] BigFile { get; } = CreateBigFile();

    public static byte[] Module => RepositoryTestData.Module("dummy.ko");

    /// <summary>The fixture; fails (CI) or ignores the calling test when a tool is missing.</summary>
    public static Task<TocImageFixture> GetAsync()
    {
        TocTools.Require("skopeo");
        TocTools.Require("ctr-remote");
        TocTools.Require("containerd");
        return Shared.Value;
    }

    public ImageReference Reference(string image) => Registry.Reference(image);

    /// <summary>The layer of every image: modules, a large file, links, whiteouts, an opaque directory, odd modes.</summary>
    public static LayerBuilder Layer()
    {
        var layer = new LayerBuilder().WithParentDirectories();
        foreach (var module in Directory.GetFiles(RepositoryTestData.ModulesDirectory, "*.ko").Order(StringComparer.Ordinal))
        {
            layer.AddFile($"opt/lib/modules/{Kernel}/extra/{Path.GetFileName(module)}", File.ReadAllBytes(module));
        }

        return layer
            .AddFile($"opt/lib/modules/{Kernel}/modules.dep", $"extra/dummy.ko:\nextra/veth.ko:\n")
            .AddFile(BigFilePath.TrimStart('/'), BigFile)
            .AddFile("opt/data/empty", [])
            .AddFile("usr/bin/tool", "#!/bin/sh\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.SetUser)
            .AddSymlink("opt/data/link", "big.bin")
            .AddSymlink("opt/modules", $"lib/modules/{Kernel}")
            .AddHardlink("opt/data/dummy-copy.ko", ModulePath.TrimStart('/'))
            .AddWhiteout("etc/removed.conf")
            .AddOpaqueWhiteout("var/cache");
    }

    private static byte[] CreateBigFile()
    {
        var bytes = new byte[600 * 1024];
        new Random(1234).NextBytes(bytes);
        return bytes;
    }

    private static async Task<TocImageFixture> CreateAsync()
    {
        var registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        var fixture = new TocImageFixture(registry, $"toc-{Guid.NewGuid().ToString("N")[..8]}");
        using var client = registry.CreateClient();
        var blob = Layer().Build(LayerCompression.Gzip);
        await TestImagePusher.PushImageAsync(client, fixture.Reference(fixture.Source), [new TestLayer(blob.Content!, MediaType.OciLayerGzip)]);
        await TocImageMaker.ZstdChunkedAsync(registry, fixture.Source, fixture.ZstdChunked);
        await TocImageMaker.EditManifestAsync(registry, fixture.ZstdChunked, fixture.ZstdChunkedCurrent,
            json => json.Replace(TocImageMaker.LegacyZstdChunkedPrefix, TocImageMaker.ZstdChunkedPrefix, StringComparison.Ordinal));
        await TocImageMaker.EstargzAsync(registry, fixture.Source, fixture.Estargz);
        return fixture;
    }
}
