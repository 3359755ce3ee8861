using System.Net;
using System.Text;
using System.Text.Json;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>Turns an error response into a typed <see cref="RegistryException"/>, reading the JSON error body (capped).</summary>
internal static class RegistryErrorBody
{
    /// <summary>The most error body read, 1 MiB.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Throws the exception for <paramref name="response"/> unless it succeeded.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await CreateAsync(response, operation, cancellationToken);
        }
    }

    /// <summary>Builds the exception for an unsuccessful response.</summary>
    public static async Task<RegistryException> CreateAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = await BoundedContent.ReadAsync(response.Content, MaxBytes, truncate: true, cancellationToken);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // The error body is a courtesy; the status still says what happened.
            body = [];
        }

        var (codes, messages) = Parse(body);
        return Create(response.StatusCode, response.RequestMessage?.RequestUri, codes, messages, operation);
    }

    /// <summary>Builds the exception from parts (used by tests and the token client).</summary>
    public static RegistryException Create(HttpStatusCode status, Uri? uri, IReadOnlyList<string> codes, IReadOnlyList<string> messages, string operation)
    {
        var text = new StringBuilder();
        text.Append(operation).Append(": ");
        text.Append(uri is null ? "registry" : uri.Authority).Append(" answered ").Append((int)status).Append(' ').Append(status);
        if (codes.Count > 0)
        {
            text.Append(" (").Append(string.Join(", ", codes.Zip(messages, (c, m) => string.IsNullOrEmpty(m) ? c : $"{c}: {m}"))).Append(')');
        }

        var isNotFound = status == HttpStatusCode.NotFound || codes.Any(c => c is "NAME_UNKNOWN" or "MANIFEST_UNKNOWN" or "BLOB_UNKNOWN");
        var isUnauthorized = status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || codes.Any(c => c is "UNAUTHORIZED" or "DENIED");
        if (isUnauthorized && !isNotFound)
        {
            text.Append("; check the credentials (auth file, pull secret) for this registry");
            return new RegistryUnauthorizedException(text.ToString(), status, codes);
        }

        if (isNotFound)
        {
            return new RegistryNotFoundException(text.ToString(), status, codes);
        }

        if (status == HttpStatusCode.TooManyRequests || codes.Contains("TOOMANYREQUESTS"))
        {
            text.Append("; the registry rate-limits this client, try again later");
        }

        return new RegistryException(text.ToString(), status, codes);
    }

    /// <summary>Parses <c>{"errors":[{"code","message"}]}</c>; anything else yields no codes.</summary>
    public static (IReadOnlyList<string> Codes, IReadOnlyList<string> Messages) Parse(byte[] body)
    {
        var codes = new List<string>();
        var messages = new List<string>();
        if (body.Length == 0)
        {
            return (codes, messages);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var error in errors.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
                {
                    codes.Add(error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString()! : "UNKNOWN");
                    messages.Add(error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? Shorten(message.GetString()!) : string.Empty);
                }
            }
        }
        catch (JsonException)
        {
            // Proxies answer HTML; the status alone must do.
        }

        return (codes, messages);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
