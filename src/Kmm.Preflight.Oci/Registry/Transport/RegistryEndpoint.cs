namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>Where a registry was reached.</summary>
/// <param name="Registry">The registry name credentials are looked up by (<c>docker.io</c>, <c>host:port</c>).</param>
/// <param name="BaseUri">The scheme and authority in use, e.g. <c>https://registry-1.docker.io</c>.</param>
internal sealed record RegistryEndpoint(string Registry, Uri BaseUri)
{
    /// <summary>Whether the registry is spoken to in plain HTTP (configured insecure or loopback fallback).</summary>
    public bool IsPlainHttp => BaseUri.Scheme == Uri.UriSchemeHttp;

    /// <summary>Whether <paramref name="uri"/> is on this registry (same scheme, host and port): only then is Authorization sent.</summary>
    public bool IsSameOrigin(Uri uri) =>
        uri is not null && uri.Scheme == BaseUri.Scheme && uri.Port == BaseUri.Port
        && string.Equals(uri.IdnHost, BaseUri.IdnHost, StringComparison.OrdinalIgnoreCase);
}
