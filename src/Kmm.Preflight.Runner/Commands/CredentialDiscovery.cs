using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>Chooses where registry credentials come from: the <c>--auth-file</c>, else the usual docker/podman files.</summary>
internal static class CredentialDiscovery
{
    /// <summary>The credential provider for <paramref name="authFile"/>; null discovers the files container tools use.</summary>
    /// <exception cref="FileNotFoundException">The auth file does not exist.</exception>
    /// <exception cref="InvalidDataException">An auth file is malformed (the message never shows secrets).</exception>
    public static ICredentialProvider Create(string? authFile) => AuthFileDiscovery.CreateProvider(authFile);
}
