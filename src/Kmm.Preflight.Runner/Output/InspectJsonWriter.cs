using System.Text.Encodings.Web;
using System.Text.Json;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes what <c>inspect</c> prints: the resolved image as one indented JSON object.</summary>
internal static class InspectJsonWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Keeps '+' in media types and '<' in labels readable; the output is for terminals and jq, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="image"/> to <paramref name="output"/>.</summary>
    public static async Task WriteAsync(ResolvedImage image, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(output);
        // Inspecting shows the config (labels, platform): read here, as resolving leaves it for whoever needs it.
        var config = await image.Config.ReadAsync(cancellationToken);
        var platform = await image.GetPlatformAsync(cancellationToken);
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, Options))
        {
            Write(image, config, platform, json);
        }

        await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).AsMemory(), cancellationToken);
    }

    private static void Write(ResolvedImage image, Oci.Manifests.ImageConfig config, Oci.Manifests.Platform? imagePlatform, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("reference", image.Name);
        json.WriteString("digest", image.Digest.ToString());
        if (image.Index is { } index)
        {
            json.WriteString("indexDigest", index.Digest.ToString());
            json.WriteString("indexMediaType", index.MediaType.ToString());

            // Every manifest the index offers, in its order: what --platform can choose from.
            json.WriteStartArray("manifests");
            foreach (var entry in index.Manifests)
            {
                json.WriteStartObject();
                json.WriteString("digest", entry.Digest.ToString());
                json.WriteString("mediaType", entry.MediaType.ToString());
                if (entry.Platform is { } platform)
                {
                    json.WriteString("platform", platform.ToString());
                }
                else
                {
                    json.WriteNull("platform");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteString("mediaType", image.Manifest.MediaType.ToString());
        if (imagePlatform is null)
        {
            json.WriteNull("platform");
        }
        else
        {
            json.WriteString("platform", imagePlatform.ToString());
        }

        json.WriteString("configDigest", image.Manifest.Config.Digest.ToString());
        json.WriteStartArray("layers");
        foreach (var layer in image.Manifest.Layers)
        {
            json.WriteStartObject();
            json.WriteString("digest", layer.Digest.ToString());
            json.WriteNumber("size", layer.Size);
            json.WriteString("mediaType", layer.MediaType.ToString());
            WriteMap(json, "annotations", layer.Annotations);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteMap(json, "labels", config.Labels);
        json.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, string> map)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }
}
