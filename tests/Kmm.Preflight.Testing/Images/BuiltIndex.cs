using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Testing.Images;

/// <summary>A multi-platform index made by <see cref="ImageIndexBuilder"/>, with the images it lists.</summary>
public sealed class BuiltIndex
{
    internal BuiltIndex(ManifestFormat format, byte[] content, Descriptor descriptor, IReadOnlyList<BuiltImage> images, IReadOnlyList<BuiltIndex> nested)
    {
        Format = format;
        Content = content;
        Descriptor = descriptor;
        Images = images;
        NestedIndexes = nested;
    }

    /// <summary>OCI index or Docker manifest list.</summary>
    public ManifestFormat Format { get; }

    /// <summary>The index bytes.</summary>
    public byte[] Content { get; }

    /// <summary>The index's descriptor.</summary>
    public Descriptor Descriptor { get; }

    /// <summary>The images listed directly.</summary>
    public IReadOnlyList<BuiltImage> Images { get; }

    /// <summary>Indexes listed inside this one (index of indexes).</summary>
    public IReadOnlyList<BuiltIndex> NestedIndexes { get; }
}
