using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Writing;

namespace Kmm.Preflight.Testing.Images;

/// <summary>Builds a multi-platform index (OCI image index or Docker manifest list) over built images.</summary>
/// <example>
/// <code>
/// var index = new ImageIndexBuilder()
///     .Add(new ImageBuilder().WithPlatform("linux/amd64").AddLayer(amd64Layer).Build())
///     .Add(new ImageBuilder().WithPlatform("linux/arm64").AddLayer(arm64Layer).Build())
///     .Build();
/// </code>
/// </example>
public sealed class ImageIndexBuilder
{
    private readonly ManifestFormat _format;
    private readonly List<BuiltImage> _images = [];
    private readonly List<BuiltIndex> _nested = [];
    private readonly List<Descriptor> _entries = [];
    private readonly Dictionary<string, string> _annotations = new(StringComparer.Ordinal);

    /// <summary>Creates a builder for an index in <paramref name="format"/>.</summary>
    public ImageIndexBuilder(ManifestFormat format = ManifestFormat.Oci)
    {
        _format = format;
    }

    /// <summary>Lists <paramref name="image"/> with its platform.</summary>
    public ImageIndexBuilder Add(BuiltImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        _images.Add(image);
        _entries.Add(image.ManifestDescriptor);
        return this;
    }

    /// <summary>Lists another index inside this one (no platform on the entry), making an index of indexes.</summary>
    public ImageIndexBuilder Add(BuiltIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        _nested.Add(index);
        _entries.Add(index.Descriptor);
        return this;
    }

    /// <summary>Adds an index annotation.</summary>
    public ImageIndexBuilder WithAnnotation(string key, string value)
    {
        _annotations[key] = value;
        return this;
    }

    /// <summary>Builds the index.</summary>
    public BuiltIndex Build()
    {
        var mediaType = _format == ManifestFormat.Docker ? MediaType.DockerManifestList : MediaType.OciIndex;
        var content = ManifestWriter.WriteIndex(mediaType, _entries, _annotations);
        var descriptor = new Descriptor { MediaType = mediaType, Digest = Digest.Sha256(content), Size = content.Length };
        return new BuiltIndex(_format, content, descriptor, _images.ToList(), _nested.ToList());
    }
}
