using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// Writes image manifests and indexes as compact JSON in a fixed field order (<c>schemaVersion</c>, <c>mediaType</c>,
/// <c>config</c>, <c>layers</c>, <c>annotations</c>; descriptors as <c>mediaType</c>, <c>digest</c>, <c>size</c>…),
/// so the same content always has the same digest. OCI and Docker schema 2 media types alike.
/// </summary>
public static class ManifestWriter
{
    /// <summary>A single-platform manifest.</summary>
    /// <param name="mediaType"><see cref="MediaType.OciManifest"/> or <see cref="MediaType.DockerManifest"/>.</param>
    /// <param name="config">The config blob's descriptor.</param>
    /// <param name="layers">The layer descriptors, bottom first.</param>
    /// <param name="annotations">Manifest annotations (OCI only); null or empty for none.</param>
    /// <exception cref="ArgumentException"><paramref name="mediaType"/> is not a manifest type, or a Docker manifest is given annotations.</exception>
    public static byte[] WriteManifest(MediaType mediaType, Descriptor config, IReadOnlyList<Descriptor> layers, IReadOnlyDictionary<string, string>? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(layers);
        if (!mediaType.IsManifest)
        {
            throw new ArgumentException($"'{mediaType}' is not an image manifest media type.", nameof(mediaType));
        }

        if (mediaType == MediaType.DockerManifest && annotations is { Count: > 0 })
        {
            throw new ArgumentException("Docker schema 2 manifests have no annotations; use an OCI manifest.", nameof(annotations));
        }

        return DescriptorJson.Serialise(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", mediaType.Value);
            json.WritePropertyName("config");
            DescriptorJson.Write(json, config, withPlatform: false);
            json.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                DescriptorJson.Write(json, layer, withPlatform: false);
            }

            json.WriteEndArray();
            DescriptorJson.WriteAnnotations(json, annotations ?? new Dictionary<string, string>());
            json.WriteEndObject();
        });
    }

    /// <summary>An image index (or Docker manifest list) over <paramref name="manifests"/>, their platforms included.</summary>
    /// <param name="mediaType"><see cref="MediaType.OciIndex"/> or <see cref="MediaType.DockerManifestList"/>.</param>
    /// <param name="manifests">The entries, in order.</param>
    /// <param name="annotations">Index annotations; null or empty for none.</param>
    /// <exception cref="ArgumentException"><paramref name="mediaType"/> is not an index type.</exception>
    public static byte[] WriteIndex(MediaType mediaType, IReadOnlyList<Descriptor> manifests, IReadOnlyDictionary<string, string>? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        if (!mediaType.IsIndex)
        {
            throw new ArgumentException($"'{mediaType}' is not an image index media type.", nameof(mediaType));
        }

        return DescriptorJson.Serialise(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", mediaType.Value);
            json.WriteStartArray("manifests");
            foreach (var manifest in manifests)
            {
                DescriptorJson.Write(json, manifest, withPlatform: true);
            }

            json.WriteEndArray();
            DescriptorJson.WriteAnnotations(json, annotations ?? new Dictionary<string, string>());
            json.WriteEndObject();
        });
    }
}
