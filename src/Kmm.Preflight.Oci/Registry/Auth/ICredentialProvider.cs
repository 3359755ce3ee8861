namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>Finds credentials for a registry.</summary>
public interface ICredentialProvider
{
    /// <summary>Credentials for <paramref name="registry"/> (<c>host[:port]</c>, <c>docker.io</c> for Docker Hub), or null.</summary>
    Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken = default);
}
