using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>Chooses where registry credentials come from: the <c>--auth-file</c>, else the usual docker/podman files.</summary>
internal static class CredentialDiscovery
{
    /// <summary>The credential provider for <paramref name="authFile"/> (null: discover).</summary>
    public static ICredentialProvider? Create(string? authFile)
    {
        // Wired to the registry client's docker-config provider and discovery once merged; anonymous until then.
        _ = authFile;
        return null;
    }
}
