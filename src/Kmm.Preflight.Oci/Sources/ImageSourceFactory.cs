using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>
/// Opens an image source from a name as skopeo users write it: <c>docker://HOST/REPO:TAG</c> or a bare reference
/// (a registry), <c>oci:DIR[:TAG]</c> (an OCI layout directory), <c>docker-archive:FILE[:REF]</c> (a <c>docker save</c> tarball).
/// </summary>
public sealed class ImageSourceFactory
{
    /// <summary>Creates a factory whose registry sources use <paramref name="registry"/>.</summary>
    public ImageSourceFactory(RegistryClient registry)
    {
        Registry = registry ?? throw new ArgumentNullException(nameof(registry));
    }

    /// <summary>The registry client.</summary>
    public RegistryClient Registry { get; }

    /// <summary>Opens the named source.</summary>
    /// <exception cref="FormatException">The name is malformed.</exception>
    public IImageSource Open(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.StartsWith("oci:", StringComparison.Ordinal))
        {
            var (path, tag) = SplitPathAndName(name["oci:".Length..], name);
            return new OciLayoutImageSource(path, tag);
        }

        if (name.StartsWith("docker-archive:", StringComparison.Ordinal))
        {
            var (path, reference) = SplitPathAndName(name["docker-archive:".Length..], name);
            return new DockerArchiveImageSource(path, reference);
        }

        var registryName = name.StartsWith("docker://", StringComparison.Ordinal) ? name["docker://".Length..] : name;
        return new RegistryImageSource(Registry, References.ImageReference.Parse(registryName));
    }

    // skopeo's syntax: the path ends at the first ':' (paths containing ':' are not supported, as in skopeo).
    private static (string Path, string? Name) SplitPathAndName(string rest, string original)
    {
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var path = colon < 0 ? rest : rest[..colon];
        var tag = colon < 0 ? null : rest[(colon + 1)..];
        if (path.Length == 0)
        {
            throw new FormatException($"'{original}' names no path: write oci:DIR[:TAG] or docker-archive:FILE[:REF].");
        }

        return (path, string.IsNullOrEmpty(tag) ? null : tag);
    }
}
