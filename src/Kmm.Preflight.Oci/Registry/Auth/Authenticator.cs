using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Kmm.Preflight.Oci.Registry.Transport;

namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>
/// Decides the Authorization header for a registry request from the registry's last challenge: none, Basic, or
/// a cached-or-fetched Bearer token for the request's scopes. A 401 naming other scopes triggers a new token.
/// </summary>
internal sealed class Authenticator(ICredentialProvider? credentials, TokenClient tokens, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.OrdinalIgnoreCase);
    private readonly TokenCache _cache = new(timeProvider);

    /// <summary>Records the challenge the registry answered a ping with.</summary>
    public void Remember(RegistryEndpoint endpoint, AuthChallenge? challenge)
    {
        if (challenge is not null)
        {
            _challenges[endpoint.BaseUri.Authority] = challenge;
        }
    }

    /// <summary>Whether the registry at <paramref name="endpoint"/> answered its ping with a challenge (it wants credentials).</summary>
    public bool HasChallenge(RegistryEndpoint endpoint) => _challenges.ContainsKey(endpoint.BaseUri.Authority);

    /// <summary>The header to send before any 401, or null for anonymous.</summary>
    public async Task<AuthenticationHeaderValue?> GetAsync(RegistryEndpoint endpoint, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        if (!_challenges.TryGetValue(endpoint.BaseUri.Authority, out var challenge))
        {
            return null;
        }

        return await HeaderForAsync(endpoint, challenge, scopes, fresh: false, cancellationToken);
    }

    /// <summary>The header to retry with after a 401, or null when retrying cannot help.</summary>
    public async Task<AuthenticationHeaderValue?> OnUnauthorizedAsync(RegistryEndpoint endpoint, HttpResponseMessage response, IReadOnlyList<string> scopes, AuthenticationHeaderValue? sent, CancellationToken cancellationToken)
    {
        var challenge = AuthChallenge.Parse(response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        if (challenge is null)
        {
            return null;
        }

        _challenges[endpoint.BaseUri.Authority] = challenge;
        var merged = TokenScope.Merge(challenge.Scopes, scopes);
        var header = await HeaderForAsync(endpoint, challenge, merged, fresh: true, cancellationToken);
        if (header is null || (sent is not null && sent.Scheme == header.Scheme && sent.Parameter == header.Parameter))
        {
            return null;
        }

        if (challenge.IsBearer && header.Parameter is { } token)
        {
            // Later requests with the same scopes reuse the token that satisfied the challenge.
            _cache.Set(endpoint.BaseUri.Authority, scopes, token, TimeSpan.FromSeconds(60));
        }

        return header;
    }

    private async Task<AuthenticationHeaderValue?> HeaderForAsync(RegistryEndpoint endpoint, AuthChallenge challenge, IReadOnlyList<string> scopes, bool fresh, CancellationToken cancellationToken)
    {
        if (challenge.IsBasic)
        {
            var credential = await GetCredentialAsync(endpoint, cancellationToken);
            return credential is { Username: { } user, Password: { } password }
                ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")))
                : null;
        }

        if (!challenge.IsBearer)
        {
            return null;
        }

        var registry = endpoint.BaseUri.Authority;
        if (!fresh && _cache.Get(registry, scopes) is { } cached)
        {
            return new AuthenticationHeaderValue("Bearer", cached);
        }

        var reply = await tokens.FetchAsync(endpoint, challenge, scopes, await GetCredentialAsync(endpoint, cancellationToken), cancellationToken);
        _cache.Set(registry, scopes, reply.Token, reply.Lifetime);
        return new AuthenticationHeaderValue("Bearer", reply.Token);
    }

    private async Task<RegistryCredential?> GetCredentialAsync(RegistryEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (credentials is null)
        {
            return null;
        }

        var credential = await credentials.GetAsync(endpoint.Registry, cancellationToken);

        // Docker's convention: user "<token>" means the password is an identity (refresh) token.
        return credential is { Username: "<token>", Password: { } refresh } ? new RegistryCredential { IdentityToken = refresh } : credential;
    }
}
