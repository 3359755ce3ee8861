namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>
/// Normalises the registry keys of auth files (<c>https://index.docker.io/v1/</c>, <c>http://host:5000</c>,
/// <c>host:5000/v2/</c>) to the <c>host[:port]</c> form image references use.
/// </summary>
internal static class RegistryKey
{
    /// <summary>Normalises <paramref name="key"/>; Docker Hub aliases become <c>docker.io</c>.</summary>
    public static string Normalise(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var host = key.Trim();
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            host = host[..slash];
        }

        host = host.ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" or "docker.io" ? References.ImageReference.DockerHubRegistry : host;
    }
}
