using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>
/// Opens an image source from a name as skopeo users write it: <c>docker://HOST/REPO:TAG</c> or a bare reference
/// (a registry), <c>oci:DIR[:TAG]</c> (an OCI layout directory), <c>docker-archive:FILE[:REF]</c> (a <c>docker save</c> tarball).
/// </summary>
public sealed class ImageSourceFactory
{
    private readonly Func<ImageReference, RegistryClient> _registryFor;

    /// <summary>Creates a factory whose registry sources use <paramref name="registry"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="registry"/> is null.</exception>
    public ImageSourceFactory(RegistryClient registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registryFor = _ => registry;
    }

    /// <summary>
    /// Creates a factory that asks <paramref name="registryFor"/> for a client only when a name is a registry
    /// reference (so the client can depend on the host), and never for <c>oci:</c> or <c>docker-archive:</c> names.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="registryFor"/> is null.</exception>
    public ImageSourceFactory(Func<ImageReference, RegistryClient> registryFor)
    {
        _registryFor = registryFor ?? throw new ArgumentNullException(nameof(registryFor));
    }

    /// <summary>Opens the named source.</summary>
    /// <exception cref="ArgumentException">The name is null, empty or white space.</exception>
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
        var image = ImageReference.Parse(registryName);
        return new RegistryImageSource(_registryFor(image), image);
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
