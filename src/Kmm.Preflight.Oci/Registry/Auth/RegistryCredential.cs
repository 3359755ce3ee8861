namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>Credentials for one registry: user and password, or an identity (refresh) token.</summary>
public sealed record RegistryCredential
{
    /// <summary>User name; null with an identity token alone.</summary>
    public string? Username { get; init; }

    /// <summary>Password.</summary>
    public string? Password { get; init; }

    /// <summary>An OAuth2 refresh token (docker's <c>identitytoken</c>, or a password with user <c>&lt;token&gt;</c>).</summary>
    public string? IdentityToken { get; init; }

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"RegistryCredential {{ Username = {Username}, Password = ***, IdentityToken = {(IdentityToken is null ? "none" : "***")} }}";
}
