namespace Kmm.Preflight.Testing.Registry;

/// <summary>What a <see cref="TokenServer"/> was asked, for assertions.</summary>
/// <param name="Method">GET or POST.</param>
/// <param name="Scopes">The scopes requested, in order.</param>
/// <param name="Subject">The authenticated user, or null when anonymous.</param>
/// <param name="GrantType">The OAuth2 grant type of a POST (<c>password</c>, <c>refresh_token</c>), or null for GET.</param>
/// <param name="Status">The status answered.</param>
public sealed record TokenRequestRecord(string Method, IReadOnlyList<string> Scopes, string? Subject, string? GrantType, int Status);
