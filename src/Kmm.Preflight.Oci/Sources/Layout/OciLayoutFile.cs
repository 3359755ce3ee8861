using System.Text.Json;

namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>The <c>oci-layout</c> marker file: <c>{"imageLayoutVersion": "1.0.0"}</c>.</summary>
internal static class OciLayoutFile
{
    /// <summary>Throws unless <paramref name="content"/> is a layout marker of a supported version (1.x).</summary>
    public static void Check(byte[] content, string fileName)
    {
        string? version;
        try
        {
            using var document = JsonDocument.Parse(content);
            version = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("imageLayoutVersion", out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{fileName}: not valid JSON ({e.Message}).", e);
        }

        if (version is null)
        {
            throw new InvalidDataException($"{fileName}: has no 'imageLayoutVersion'.");
        }

        if (!version.StartsWith("1.", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{fileName}: image layout version '{version}' is not supported (expected 1.x).");
        }
    }
}
