using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// A Docker schema 2 image as an OCI image: the same config and layer bytes under OCI media types, and so a new
/// manifest. OCI layout readers (skopeo, umoci) look only for OCI manifests and indexes in <c>index.json</c>, and
/// skopeo converts the same way when it copies a Docker image into a layout.
/// </summary>
internal static class OciManifestConversion
{
    private static readonly MediaType DockerLayerTar = new("application/vnd.docker.image.rootfs.diff.tar");

    /// <summary><paramref name="image"/> itself when it already has an OCI manifest, else its OCI twin.</summary>
    public static ResolvedImage ToOci(ResolvedImage image)
    {
        if (image.Manifest.MediaType != MediaType.DockerManifest)
        {
            return image;
        }

        var config = image.Manifest.Config with { MediaType = image.Manifest.Config.MediaType == MediaType.DockerConfig ? MediaType.OciConfig : image.Manifest.Config.MediaType };
        var layers = image.Layers.Select(l => (ILayer)new RetypedLayer(l, OciLayerType(l.Descriptor.MediaType))).ToList();
        var descriptors = layers.Select(l => l.Descriptor).ToList();
        var manifest = ManifestWriter.WriteManifest(MediaType.OciManifest, config, descriptors);
        return image with
        {
            Index = null,
            Manifest = new ImageManifest { MediaType = MediaType.OciManifest, Config = config, Layers = descriptors, Digest = Digest.Sha256(manifest) },
            Layers = layers,
            RawManifest = manifest,
        };
    }

    private static MediaType OciLayerType(MediaType docker) =>
        docker == MediaType.DockerLayerGzip ? MediaType.OciLayerGzip
        : docker == DockerLayerTar ? MediaType.OciLayerTar
        : docker == MediaType.DockerForeignLayer ? MediaType.OciForeignLayerGzip
        : docker;
}
