using Kmm.Preflight.Testing.Images;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>How the measured runs name the images: the local registry when there is one, else the OCI layout.</summary>
internal sealed class ImageSources
{
    private readonly BenchmarkImages _images;
    private readonly BenchmarkRegistry? _registry;

    public ImageSources(BenchmarkImages images, BenchmarkRegistry? registry)
    {
        _images = images;
        _registry = registry;
    }

    public string Description => _registry is null ? $"OCI layout {_images.Layout}" : $"docker-registry at {_registry.Host} (plain HTTP, loopback; the .NET children name it an insecure registry, as skopeo gets --src-tls-verify=false)";

    /// <summary>The source name our scan opens.</summary>
    /// <summary>The child arguments that mark the registry as plain HTTP (none for an OCI layout).</summary>
    public string[] ChildAccessArguments => _registry is null ? [] : ["--insecure-registry", _registry.Host];

    public string For(string tag) => _registry is null ? $"oci:{_images.Layout}:{tag}" : $"docker://{_registry.Host}/{BenchmarkRegistry.Repository}:{tag}";

    /// <summary>What a user does today: copy the image out with skopeo, then list the layer with tar.</summary>
    public string SkopeoAndTar(string tag, LayerBlob layer, string tarListOptions, string scratchParent)
    {
        var scratch = Path.Combine(scratchParent, "skopeo-dir");
        var source = _registry is null
            ? $"oci:{_images.Layout}:{tag}"
            : $"--src-tls-verify=false docker://{_registry.Host}/{BenchmarkRegistry.Repository}:{tag}";
        return $"rm -rf '{scratch}' && skopeo copy --quiet {source} 'dir:{scratch}' && tar {tarListOptions} '{scratch}/{layer.Digest.Hex}' > /dev/null && rm -rf '{scratch}'";
    }
}
