namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>A bearer token and when it stops being usable.</summary>
/// <param name="Token">The token.</param>
/// <param name="ExpiresAt">When to stop using it (a little before the server's expiry).</param>
internal sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);
