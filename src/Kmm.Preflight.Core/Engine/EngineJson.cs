using System.Text.Json;

namespace Kmm.Preflight.Core.Engine;

/// <summary>
/// Reads and writes the engine's JSON with <see cref="JsonDocument"/> and <see cref="Utf8JsonWriter"/>, as the rest of
/// the code base does: no <c>JsonSerializer</c>, so the Native AOT tool carries no serializer (measured: a
/// source-generated context for these few fields made the executable 428 KB larger).
/// </summary>
internal static class EngineJson
{
    /// <summary>One line of a build or load stream.</summary>
    /// <exception cref="JsonException">The line is not a JSON object.</exception>
    public static EngineMessage ParseMessage(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("an engine message is not a JSON object");
        }

        var aux = root.TryGetProperty("aux", out var a) ? a : default;
        return new EngineMessage
        {
            Stream = String(root, "stream"),
            Id = String(root, "id"),
            Error = (root.TryGetProperty("errorDetail", out var detail) && detail.ValueKind == JsonValueKind.Object ? String(detail, "message") : null)
                ?? String(root, "error"),
            AuxText = aux.ValueKind == JsonValueKind.String ? aux.GetString() : null,
            AuxImageId = aux.ValueKind == JsonValueKind.Object ? String(aux, "ID") : null,
        };
    }

    /// <summary><c>GET /version</c>: the engine's version, API version and whether it is podman.</summary>
    /// <exception cref="JsonException">The answer is not JSON.</exception>
    public static EngineVersion ParseVersion(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        string? podman = null;
        if (root.TryGetProperty("Components", out var components) && components.ValueKind == JsonValueKind.Array)
        {
            podman = components.EnumerateArray()
                .Where(c => c.ValueKind == JsonValueKind.Object && String(c, "Name")?.Contains("Podman", StringComparison.OrdinalIgnoreCase) == true)
                .Select(c => String(c, "Version") ?? "unknown")
                .FirstOrDefault();
        }

        return new EngineVersion
        {
            Version = podman ?? String(root, "Version") ?? "unknown",
            ApiVersion = String(root, "ApiVersion") ?? "unknown",
            IsPodman = podman is not null,
        };
    }

    /// <summary>The <c>message</c> of an error answer (<c>{"message": …}</c>), or null when it is not one.</summary>
    public static string? ErrorMessage(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? String(document.RootElement, "message") : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>buildargs</c> parameter: a JSON object, later values of a name winning.</summary>
    public static string BuildArgs(IEnumerable<KeyValuePair<string, string>> arguments)
    {
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in arguments)
        {
            last[name] = value;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, value) in last)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string? String(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
