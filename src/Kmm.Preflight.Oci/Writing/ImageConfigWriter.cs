using System.Text.Json;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// Writes image config blobs: a new one (platform, labels, <c>rootfs.diff_ids</c>, history), or an existing one with
/// layers appended, where every byte of the original is kept and only the new diff IDs and history entries are inserted.
/// </summary>
public static class ImageConfigWriter
{
    /// <summary>A new config for an image of <paramref name="diffIds"/> (bottom first), compact, fields in Docker's order.</summary>
    /// <param name="platform">The platform (<c>os</c>, <c>architecture</c>, <c>variant</c>); null leaves them out.</param>
    /// <param name="diffIds">The layers' diff IDs, bottom first.</param>
    /// <param name="options">Creation time, labels, history.</param>
    public static byte[] Write(Platform? platform, IReadOnlyList<Digest> diffIds, ImageConfigWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(diffIds);
        options ??= new ImageConfigWriterOptions();
        return DescriptorJson.Serialise(json =>
        {
            json.WriteStartObject();
            if (options.Created is { } created)
            {
                json.WriteString("created", ConfigTime.Format(created));
            }

            if (platform is not null)
            {
                json.WriteString("architecture", platform.Architecture);
                json.WriteString("os", platform.Os);
                if (platform.Variant is not null)
                {
                    json.WriteString("variant", platform.Variant);
                }
            }

            json.WriteStartObject("config");
            if (options.Labels.Count > 0)
            {
                json.WriteStartObject("Labels");
                foreach (var (key, value) in options.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartObject("rootfs");
            json.WriteString("type", "layers");
            json.WriteStartArray("diff_ids");
            foreach (var diffId in diffIds)
            {
                json.WriteStringValue(diffId.ToString());
            }

            json.WriteEndArray();
            json.WriteEndObject();
            if (options.CreatedBy is not null)
            {
                json.WriteStartArray("history");
                foreach (var _ in diffIds)
                {
                    WriteHistoryEntry(json, options.CreatedBy, options.Created);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        });
    }

    /// <summary>
    /// <paramref name="config"/> with <paramref name="diffIds"/> appended to <c>rootfs.diff_ids</c> and one history entry
    /// (<paramref name="createdBy"/>, <paramref name="created"/>) per layer appended to <c>history</c>. Everything else,
    /// unknown fields and formatting included, is copied byte for byte; missing <c>rootfs</c> or <c>history</c> are added.
    /// </summary>
    /// <exception cref="InvalidDataException"><paramref name="config"/> is not a JSON object, repeats <c>rootfs</c>/<c>history</c>, or holds them with the wrong type.</exception>
    public static byte[] AppendLayers(ReadOnlySpan<byte> config, IReadOnlyList<Digest> diffIds, string createdBy, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(diffIds);
        ArgumentNullException.ThrowIfNull(createdBy);
        var ids = DescriptorJson.Serialise(json =>
        {
            json.WriteStartArray();
            foreach (var diffId in diffIds)
            {
                json.WriteStringValue(diffId.ToString());
            }

            json.WriteEndArray();
        });
        var history = DescriptorJson.Serialise(json =>
        {
            json.WriteStartArray();
            foreach (var _ in diffIds)
            {
                WriteHistoryEntry(json, createdBy, created);
            }

            json.WriteEndArray();
        });

        // Array bodies without their brackets, to splice into existing arrays.
        return ConfigSplice.Append(config, ids.AsSpan(1, ids.Length - 2), history.AsSpan(1, history.Length - 2));
    }

    private static void WriteHistoryEntry(Utf8JsonWriter json, string createdBy, DateTimeOffset? created)
    {
        json.WriteStartObject();
        if (created is { } time)
        {
            json.WriteString("created", ConfigTime.Format(time));
        }

        json.WriteString("created_by", createdBy);
        json.WriteEndObject();
    }
}
