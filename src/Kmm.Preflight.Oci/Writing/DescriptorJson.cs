using System.Text.Encodings.Web;
using System.Text.Json;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>Writes descriptors and annotation maps as the OCI spec spells them, in a fixed order so bytes are reproducible.</summary>
internal static class DescriptorJson
{
    /// <summary>Writes <paramref name="descriptor"/> as an object (with its platform only when <paramref name="withPlatform"/>: index entries).</summary>
    public static void Write(Utf8JsonWriter json, Descriptor descriptor, bool withPlatform)
    {
        json.WriteStartObject();
        json.WriteString("mediaType", descriptor.MediaType.Value);
        json.WriteString("digest", descriptor.Digest.ToString());
        json.WriteNumber("size", descriptor.Size);
        if (descriptor.Urls.Count > 0)
        {
            json.WriteStartArray("urls");
            foreach (var url in descriptor.Urls)
            {
                json.WriteStringValue(url);
            }

            json.WriteEndArray();
        }

        if (withPlatform && descriptor.Platform is { } platform)
        {
            json.WriteStartObject("platform");
            json.WriteString("architecture", platform.Architecture);
            json.WriteString("os", platform.Os);
            if (platform.Variant is not null)
            {
                json.WriteString("variant", platform.Variant);
            }

            json.WriteEndObject();
        }

        WriteAnnotations(json, descriptor.Annotations);
        json.WriteEndObject();
    }

    /// <summary>Writes <c>"annotations"</c> sorted by key; nothing when empty.</summary>
    public static void WriteAnnotations(Utf8JsonWriter json, IReadOnlyDictionary<string, string> annotations)
    {
        if (annotations.Count == 0)
        {
            return;
        }

        json.WriteStartObject("annotations");
        foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Options for compact output escaping only what JSON requires: the default encoder would write <c>+</c> in media
    /// types as <c>\u002B</c>, which is valid but not what any other tool writes.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Compact UTF-8 JSON written by <paramref name="write"/>.</summary>
    public static byte[] Serialise(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(json);
        }

        return buffer.ToArray();
    }
}
