using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Core.Registry;

/// <summary>Asks providers in order and returns the first credential found.</summary>
internal sealed class ChainedCredentialSource : ICredentialProvider
{
    private readonly IReadOnlyList<ICredentialProvider> _providers;

    public ChainedCredentialSource(IReadOnlyList<ICredentialProvider> providers)
    {
        _providers = providers;
    }

    public async Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken = default)
    {
        foreach (var provider in _providers)
        {
            if (await provider.GetAsync(registry, cancellationToken) is { } credential)
            {
                return credential;
            }
        }

        return null;
    }
}
