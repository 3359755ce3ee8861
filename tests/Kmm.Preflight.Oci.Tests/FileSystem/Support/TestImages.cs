using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Support;

/// <summary>Builds a <see cref="ResolvedImage"/> over in-memory layers (bottom first).</summary>
internal static class TestImages
{
    public static ResolvedImage Create(params ILayer[] layers)
    {
        var config = new Descriptor { MediaType = MediaType.OciConfig, Digest = Digest.Sha256("{}"u8), Size = 2 };
        return new ResolvedImage
        {
            Name = "test-image",
            Manifest = new ImageManifest
            {
                MediaType = MediaType.OciManifest,
                Config = config,
                Layers = layers.Select(l => l.Descriptor).ToList(),
                Digest = Digest.Sha256(Guid.NewGuid().ToByteArray()),
            },
            Config = new ImageConfigBlob("{}"u8.ToArray()),
            Platform = Platform.Default,
            Layers = layers,
        };
    }

    public static Oci.FileSystem.ImageFileSystem FileSystem(params TarBuilder[] layers)
        => new(Create(layers.Select(l => (ILayer)InMemoryLayer.Gzip(l)).ToArray()));
}
