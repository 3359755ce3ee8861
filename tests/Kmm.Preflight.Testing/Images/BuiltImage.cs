using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Testing.Images;

/// <summary>A single-platform image made by <see cref="ImageBuilder"/>: config and manifest bytes, and its layers.</summary>
public sealed class BuiltImage
{
    internal BuiltImage(ManifestFormat format, Platform platform, byte[] config, Descriptor configDescriptor, byte[] manifest, Descriptor manifestDescriptor, IReadOnlyList<LayerBlob> layers)
    {
        Format = format;
        Platform = platform;
        Config = config;
        ConfigDescriptor = configDescriptor;
        Manifest = manifest;
        ManifestDescriptor = manifestDescriptor;
        Layers = layers;
    }

    /// <summary>The manifest format.</summary>
    public ManifestFormat Format { get; }

    /// <summary>The platform in the config and in <see cref="ManifestDescriptor"/>.</summary>
    public Platform Platform { get; }

    /// <summary>The config blob.</summary>
    public byte[] Config { get; }

    /// <summary>The config's descriptor.</summary>
    public Descriptor ConfigDescriptor { get; }

    /// <summary>The manifest bytes.</summary>
    public byte[] Manifest { get; }

    /// <summary>The manifest's descriptor, with the platform set (as an index entry carries it).</summary>
    public Descriptor ManifestDescriptor { get; }

    /// <summary>The layers, bottom to top.</summary>
    public IReadOnlyList<LayerBlob> Layers { get; }
}
