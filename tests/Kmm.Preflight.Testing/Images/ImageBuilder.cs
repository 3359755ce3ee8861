using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

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

    /// <summary>Builds config and manifest.</summary>
    public BuiltImage Build()
    {
        var config = DescriptorJson.Serialise(WriteConfig);
        var configDescriptor = new Descriptor
        {
            MediaType = _format == ManifestFormat.Docker ? MediaType.DockerConfig : MediaType.OciConfig,
            Digest = Digest.Sha256(config),
            Size = config.Length,
        };
        var manifest = DescriptorJson.Serialise(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", (_format == ManifestFormat.Docker ? MediaType.DockerManifest : MediaType.OciManifest).Value);
            json.WritePropertyName("config");
            DescriptorJson.Write(json, configDescriptor, withPlatform: false);
            json.WriteStartArray("layers");
            foreach (var layer in _layers)
            {
                DescriptorJson.Write(json, layer.ToDescriptor(_format), withPlatform: false);
            }

            json.WriteEndArray();
            DescriptorJson.WriteAnnotations(json, _annotations);
            json.WriteEndObject();
        });
        var manifestDescriptor = new Descriptor
        {
            MediaType = _format == ManifestFormat.Docker ? MediaType.DockerManifest : MediaType.OciManifest,
            Digest = Digest.Sha256(manifest),
            Size = manifest.Length,
            Platform = _platform,
        };
        return new BuiltImage(_format, _platform, config, configDescriptor, manifest, manifestDescriptor, _layers.ToList());
    }

    private void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("created", "2024-01-01T00:00:00Z");
        if (!_omitPlatformInConfig)
        {
            json.WriteString("architecture", _platform.Architecture);
            json.WriteString("os", _platform.Os);
            if (_platform.Variant is not null)
            {
                json.WriteString("variant", _platform.Variant);
            }
        }

        json.WriteStartObject("config");
        if (_labels.Count > 0)
        {
            json.WriteStartObject("Labels");
            foreach (var (key, value) in _labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartObject("rootfs");
        json.WriteString("type", "layers");
        json.WriteStartArray("diff_ids");
        foreach (var layer in _layers)
        {
            json.WriteStringValue(layer.DiffId.ToString());
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("history");
        foreach (var _ in _layers)
        {
            json.WriteStartObject();
            json.WriteString("created", "2024-01-01T00:00:00Z");
            json.WriteString("created_by", "Kmm.Preflight.Testing.Images.ImageBuilder");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
