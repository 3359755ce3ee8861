using System.Collections.Concurrent;

namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>Bearer tokens per registry and scope set, kept until shortly before they expire.</summary>
internal sealed class TokenCache(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<(string Registry, string Scopes), CachedToken> _tokens = new();

    /// <summary>The cached, unexpired token for <paramref name="registry"/> and <paramref name="scopes"/>, or null.</summary>
    public string? Get(string registry, IEnumerable<string> scopes)
    {
        var key = (registry, TokenScope.Key(scopes));
        if (_tokens.TryGetValue(key, out var token))
        {
            if (token.ExpiresAt > timeProvider.GetUtcNow())
            {
                return token.Token;
            }

            _tokens.TryRemove(key, out _);
        }

        return null;
    }

    /// <summary>Stores a token valid for <paramref name="lifetime"/> from now (less a safety margin).</summary>
    public void Set(string registry, IEnumerable<string> scopes, string token, TimeSpan lifetime)
    {
        // Leave a margin for clock skew and request latency, but never make a token unusable at once.
        var margin = lifetime > TimeSpan.FromSeconds(60) ? TimeSpan.FromSeconds(30) : lifetime / 10;
        _tokens[(registry, TokenScope.Key(scopes))] = new CachedToken(token, timeProvider.GetUtcNow() + lifetime - margin);
    }

    /// <summary>Forgets the token for <paramref name="registry"/> and <paramref name="scopes"/> (e.g. after a 401).</summary>
    public void Remove(string registry, IEnumerable<string> scopes) => _tokens.TryRemove((registry, TokenScope.Key(scopes)), out _);
}
