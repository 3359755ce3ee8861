namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>Asks several providers in order; the first that knows the registry wins.</summary>
public sealed class ChainedCredentialProvider : ICredentialProvider
{
    private readonly IReadOnlyList<ICredentialProvider> _providers;

    /// <summary>Creates the chain, first provider asked first.</summary>
    public ChainedCredentialProvider(IEnumerable<ICredentialProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers = providers.ToList();
    }

    /// <summary>The providers, in order.</summary>
    public IReadOnlyList<ICredentialProvider> Providers => _providers;

    /// <inheritdoc />
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
