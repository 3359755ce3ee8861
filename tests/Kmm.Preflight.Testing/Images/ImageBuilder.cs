using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Writing;

namespace Kmm.Preflight.Testing.Images;

/// <summary>
/// Builds a single-platform image: config (platform, labels, diff IDs) and manifest (OCI or Docker schema 2) over
/// built layers. Combine several with <see cref="ImageIndexBuilder"/>; write with <see cref="OciLayoutWriter"/>.
/// </summary>
/// <example>
/// <code>
/// var image = new ImageBuilder()
///     .WithPlatform("linux/arm64")
///     .AddLayer(new LayerBuilder().AddFile("etc/os-release", "ID=test\n"))
///     .Build();
/// </code>
/// </example>
public sealed class ImageBuilder
{
    private static readonly DateTimeOffset Created = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ManifestFormat _format;
    private readonly List<LayerBlob> _layers = [];
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _annotations = new(StringComparer.Ordinal);
    private Platform _platform = Platform.Default;
    private bool _omitPlatformInConfig;

    /// <summary>Creates a builder for an image in <paramref name="format"/>.</summary>
    public ImageBuilder(ManifestFormat format = ManifestFormat.Oci)
    {
        _format = format;
    }

    /// <summary>Sets the platform (default <c>linux/amd64</c>).</summary>
    public ImageBuilder WithPlatform(Platform platform)
    {
        _platform = platform ?? throw new ArgumentNullException(nameof(platform));
        return this;
    }

    /// <summary>Sets the platform from <c>os/arch[/variant]</c>.</summary>
    public ImageBuilder WithPlatform(string platform) => WithPlatform(Platform.Parse(platform));

    /// <summary>Leaves <c>os</c> and <c>architecture</c> out of the config (as some hand-made images do).</summary>
    public ImageBuilder WithoutPlatformInConfig()
    {
        _omitPlatformInConfig = true;
        return this;
    }

    /// <summary>Adds a config label.</summary>
    public ImageBuilder WithLabel(string key, string value)
    {
        _labels[key] = value;
        return this;
    }

    /// <summary>Adds a manifest annotation.</summary>
    public ImageBuilder WithAnnotation(string key, string value)
    {
        _annotations[key] = value;
        return this;
    }

    /// <summary>Adds a built layer on top.</summary>
    public ImageBuilder AddLayer(LayerBlob layer)
    {
        _layers.Add(layer ?? throw new ArgumentNullException(nameof(layer)));
        return this;
    }

    /// <summary>Builds <paramref name="layer"/> in memory with <paramref name="compression"/> and adds it on top.</summary>
    public ImageBuilder AddLayer(LayerBuilder layer, LayerCompression compression = LayerCompression.Gzip)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return AddLayer(layer.Build(compression));
    }

    /// <summary>Builds config and manifest (with the library's writers).</summary>
    public BuiltImage Build()
    {
        var config = ImageConfigWriter.Write(
            _omitPlatformInConfig ? null : _platform,
            _layers.Select(l => l.DiffId).ToList(),
            new ImageConfigWriterOptions { Created = Created, Labels = _labels, CreatedBy = "Kmm.Preflight.Testing.Images.ImageBuilder" });
        var configDescriptor = new Descriptor
        {
            MediaType = _format == ManifestFormat.Docker ? MediaType.DockerConfig : MediaType.OciConfig,
            Digest = Digest.Sha256(config),
            Size = config.Length,
        };
        var mediaType = _format == ManifestFormat.Docker ? MediaType.DockerManifest : MediaType.OciManifest;
        var manifest = ManifestWriter.WriteManifest(mediaType, configDescriptor, _layers.Select(l => l.ToDescriptor(_format)).ToList(), _annotations);
        var manifestDescriptor = new Descriptor
        {
            MediaType = mediaType,
            Digest = Digest.Sha256(manifest),
            Size = manifest.Length,
            Platform = _platform,
        };
        return new BuiltImage(_format, _platform, config, configDescriptor, manifest, manifestDescriptor, _layers.ToList());
    }
}
