using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>Small real tar+gzip layers for registry tests.</summary>
internal static class TestLayers
{
    public static TestLayer Gzip(string path, string content)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
            tar.WriteEntry(entry);
        }

        return new TestLayer(compressed.ToArray(), MediaType.OciLayerGzip);
    }

    public static TestLayer Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return new TestLayer(bytes, MediaType.OciLayerTar);
    }
}
