using System.Text.Json;

namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>A token server's answer: <c>{"token"|"access_token", "expires_in", "issued_at"}</c>.</summary>
/// <param name="Token">The bearer token.</param>
/// <param name="Lifetime">How long it is valid (at least 60 s, as the Docker token spec says).</param>
internal sealed record TokenReply(string Token, TimeSpan Lifetime)
{
    /// <summary>The largest token reply accepted, 1 MiB.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Parses a reply.</summary>
    /// <exception cref="InvalidDataException">It is not JSON or carries no token.</exception>
    public static TokenReply Parse(byte[] body, string realm)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"token server {realm} answered JSON that is not an object.");
            }

            var token = Read(root, "token") ?? Read(root, "access_token");
            if (string.IsNullOrEmpty(token))
            {
                throw new InvalidDataException($"token server {realm} answered without 'token' or 'access_token'.");
            }

            var seconds = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var s) ? s : 60;
            return new TokenReply(token, TimeSpan.FromSeconds(Math.Max(60, seconds)));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"token server {realm} answered invalid JSON: {e.Message}", e);
        }
    }

    private static string? Read(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
