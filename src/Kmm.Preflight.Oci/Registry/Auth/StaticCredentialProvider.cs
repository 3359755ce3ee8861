namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>Credentials given directly (e.g. <c>--creds user:password</c>), keyed by registry.</summary>
public sealed class StaticCredentialProvider : ICredentialProvider
{
    private readonly Dictionary<string, RegistryCredential> _credentials;

    /// <summary>Creates a provider from registry → credential pairs; keys are normalised like docker config keys.</summary>
    public StaticCredentialProvider(IEnumerable<KeyValuePair<string, RegistryCredential>> credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = new Dictionary<string, RegistryCredential>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, credential) in credentials)
        {
            _credentials.TryAdd(RegistryKey.Normalise(key), credential);
        }
    }

    /// <summary>Creates a provider for one registry.</summary>
    public StaticCredentialProvider(string registry, RegistryCredential credential)
        : this([new KeyValuePair<string, RegistryCredential>(registry, credential)])
    {
    }

    /// <inheritdoc />
    public Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken = default) =>
        Task.FromResult(_credentials.GetValueOrDefault(RegistryKey.Normalise(registry)));
}
