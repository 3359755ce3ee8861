using System.Security.Cryptography;
using System.Text;

namespace Kmm.Preflight.Runner.Tests.Hostile;

/// <summary>
/// Writes an OCI layout around hostile bytes, byte for byte (TestLayout builds well-formed images only): a manifest
/// as given, or a well-formed manifest around one layer blob as given. The tag is always <c>t</c>.
/// </summary>
internal static class RawOciLayout
{
    public const string LayerMediaTypeGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

    /// <summary>A layout whose tag <c>t</c> points at <paramref name="manifest"/> as an OCI image manifest.</summary>
    public static string WithManifest(string directory, byte[] manifest)
    {
        Start(directory);
        var digest = WriteBlob(directory, manifest);
        WriteIndex(directory, digest, manifest.Length);
        return $"oci:{directory}:t";
    }

    /// <summary>A layout whose image has one layer, <paramref name="layer"/>, of <paramref name="mediaType"/>.</summary>
    public static string WithLayer(string directory, byte[] layer, string mediaType)
    {
        Start(directory);
        var layerDigest = WriteBlob(directory, layer);
        // The diff ID is the layer's own digest: a bomb's uncompressed digest would cost a full inflation here.
        var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["{{{layerDigest}}}"]}}""");
        var configDigest = WriteBlob(directory, config);
        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{config.Length}}},
             "layers":[{"mediaType":"{{mediaType}}","digest":"{{layerDigest}}","size":{{layer.Length}}}]}
            """);
        var manifestDigest = WriteBlob(directory, manifest);
        WriteIndex(directory, manifestDigest, manifest.Length);
        return $"oci:{directory}:t";
    }

    /// <summary>The layer media type a corpus file's name implies.</summary>
    public static string LayerMediaType(string file) => Path.GetFileName(file) switch
    {
        var n when n.EndsWith(".gz", StringComparison.Ordinal) => LayerMediaTypeGzip,
        var n when n.EndsWith(".zst", StringComparison.Ordinal) => "application/vnd.oci.image.layer.v1.tar+zstd",
        _ => "application/vnd.oci.image.layer.v1.tar",
    };

    private static void Start(string directory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
    }

    private static string WriteBlob(string directory, byte[] content)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(content));
        File.WriteAllBytes(Path.Combine(directory, "blobs", "sha256", hex), content);
        return "sha256:" + hex;
    }

    private static void WriteIndex(string directory, string digest, long size) => File.WriteAllText(
        Path.Combine(directory, "index.json"),
        $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{digest}}}","size":{{{size}}},"annotations":{"org.opencontainers.image.ref.name":"t"}}]}""");
}
