using System.Text.Json;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Testing.Images;

/// <summary>Writes descriptors as the OCI spec spells them.</summary>
internal static class DescriptorJson
{
    public static void Write(Utf8JsonWriter json, Descriptor descriptor, bool withPlatform)
    {
        json.WriteStartObject();
        json.WriteString("mediaType", descriptor.MediaType.Value);
        json.WriteString("digest", descriptor.Digest.ToString());
        json.WriteNumber("size", descriptor.Size);
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

    public static byte[] Serialise(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            write(json);
        }

        return buffer.ToArray();
    }
}
