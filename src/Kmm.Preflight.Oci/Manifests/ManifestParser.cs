using System.Text.Json;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Manifests;

/// <summary>
/// Parses manifest, index and config JSON from any source (registry, OCI layout, archive).
/// </summary>
public static class ManifestParser
{
    /// <summary>The largest manifest or index accepted, 4 MiB.</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>The largest config blob accepted, 4 MiB.</summary>
    public const int MaxConfigBytes = 4 * 1024 * 1024;

    // A key given twice means what the last one says to Go's encoding/json (containerd, the registry) and may mean
    // something else to another reader: the layers checked here could differ from the layers a node pulls.
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    /// <summary>
    /// Parses a manifest or index. <paramref name="contentType"/> is the media type the transport reported
    /// (HTTP <c>Content-Type</c>, a descriptor's media type), or null when there is none.
    /// </summary>
    /// <returns>The document: its <see cref="ManifestDocument.Manifest"/> or its <see cref="ManifestDocument.Index"/> is set.</returns>
    /// <exception cref="InvalidDataException">The JSON is malformed, ambiguous, schema 1, or contradicts <paramref name="contentType"/>.</exception>
    public static ManifestDocument Parse(ReadOnlySpan<byte> content, string? contentType, string sourceName)
    {
        if (content.Length > MaxManifestBytes)
        {
            throw new InvalidDataException($"{sourceName}: manifest is {content.Length} bytes, more than the {MaxManifestBytes}-byte limit.");
        }

        return Parse(content.ToArray(), contentType, sourceName, Digest.Sha256(content));
    }

    /// <summary>Parses <paramref name="content"/>, whose SHA-256 digest the caller already has.</summary>
    internal static ManifestDocument Parse(byte[] content, string? contentType, string sourceName, Digest digest)
    {
        if (content.Length > MaxManifestBytes)
        {
            throw new InvalidDataException($"{sourceName}: manifest is {content.Length} bytes, more than the {MaxManifestBytes}-byte limit.");
        }

        // JsonDocument accepts invalid UTF-8 inside strings and throws InvalidOperationException only when one is read.
        if (!System.Text.Unicode.Utf8.IsValid(content))
        {
            throw new InvalidDataException($"{sourceName}: manifest is not valid UTF-8.");
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(content, StrictJson);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: manifest is not valid JSON ({e.Message}).", e);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{sourceName}: manifest is not a JSON object.");
        }

        var declared = GetString(root, "mediaType");
        var header = NormaliseContentType(contentType);
        if (root.TryGetProperty("schemaVersion", out var schema) && schema.ValueKind == JsonValueKind.Number && schema.GetInt32() == 1
            || header is not null && (header == MediaType.DockerManifestSchema1.Value || header == MediaType.DockerManifestSchema1Signed.Value))
        {
            throw new InvalidDataException($"{sourceName}: Docker schema 1 manifests are not supported; push the image again with a current client (schema 2 or OCI).");
        }

        var hasManifests = root.TryGetProperty("manifests", out var manifests);
        var hasLayers = root.TryGetProperty("layers", out var layers);
        var hasConfig = root.TryGetProperty("config", out var config);
        if (hasManifests && (hasLayers || hasConfig))
        {
            // CVE-2021-41190: a document that is both an index and a manifest means different things to different clients.
            throw new InvalidDataException($"{sourceName}: manifest has both 'manifests' and 'layers'/'config'; refusing an ambiguous document.");
        }

        if (declared is not null && header is not null && declared != header && !IsGenericJson(header))
        {
            throw new InvalidDataException($"{sourceName}: manifest says mediaType '{declared}' but was served as '{header}'.");
        }

        var mediaType = new MediaType(declared ?? header ?? (hasManifests ? MediaType.OciIndex.Value : MediaType.OciManifest.Value));
        if (hasManifests)
        {
            if (mediaType.IsManifest)
            {
                throw new InvalidDataException($"{sourceName}: media type '{mediaType}' is a manifest but the document lists 'manifests'.");
            }

            var index = new ImageIndex
            {
                MediaType = mediaType.IsIndex ? mediaType : MediaType.OciIndex,
                Manifests = ReadDescriptors(manifests, sourceName, "manifests"),
                Digest = digest,
            };
            return new ManifestDocument { MediaType = index.MediaType, Digest = digest, Content = content, Index = index };
        }

        if (!hasConfig || !hasLayers)
        {
            throw new InvalidDataException($"{sourceName}: manifest has neither 'manifests' nor both 'config' and 'layers'.");
        }

        if (mediaType.IsIndex)
        {
            throw new InvalidDataException($"{sourceName}: media type '{mediaType}' is an index but the document has 'config'/'layers'.");
        }

        var manifest = new ImageManifest
        {
            MediaType = mediaType.IsManifest ? mediaType : MediaType.OciManifest,
            Config = ReadDescriptor(config, sourceName, "config"),
            Layers = ReadDescriptors(layers, sourceName, "layers"),
            Annotations = ReadStringMap(root, "annotations"),
            Digest = digest,
        };
        return new ManifestDocument { MediaType = manifest.MediaType, Digest = digest, Content = content, Manifest = manifest };
    }

    /// <summary>Parses an image config blob.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or too large.</exception>
    public static ImageConfig ParseConfig(ReadOnlySpan<byte> content, string sourceName)
    {
        if (content.Length > MaxConfigBytes)
        {
            throw new InvalidDataException($"{sourceName}: config is {content.Length} bytes, more than the {MaxConfigBytes}-byte limit.");
        }

        if (!System.Text.Unicode.Utf8.IsValid(content))
        {
            throw new InvalidDataException($"{sourceName}: config is not valid UTF-8.");
        }

        try
        {
            using var document = JsonDocument.Parse(content.ToArray(), StrictJson);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{sourceName}: config is not a JSON object.");
            }

            var labels = root.TryGetProperty("config", out var inner) && inner.ValueKind == JsonValueKind.Object
                ? ReadStringMap(inner, "Labels")
                : new Dictionary<string, string>();
            var diffIds = root.TryGetProperty("rootfs", out var rootfs) && rootfs.ValueKind == JsonValueKind.Object
                && rootfs.TryGetProperty("diff_ids", out var ids) && ids.ValueKind == JsonValueKind.Array
                ? ids.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!).ToList()
                : [];
            return new ImageConfig
            {
                Os = GetString(root, "os"),
                Architecture = GetString(root, "architecture"),
                Variant = GetString(root, "variant"),
                Labels = labels,
                DiffIds = diffIds,
            };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: config is not valid JSON ({e.Message}).", e);
        }
    }

    private static bool IsGenericJson(string contentType) => contentType is "application/json" or "text/plain" or "application/octet-stream";

    private static string? NormaliseContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim();
    }

    private static List<Descriptor> ReadDescriptors(JsonElement array, string sourceName, string field)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{sourceName}: '{field}' is not an array.");
        }

        return array.EnumerateArray().Select((e, i) => ReadDescriptor(e, sourceName, $"{field}[{i}]")).ToList();
    }

    /// <summary>Reads one descriptor object.</summary>
    internal static Descriptor ReadDescriptor(JsonElement element, string sourceName, string field)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{sourceName}: '{field}' is not an object.");
        }

        var mediaType = GetString(element, "mediaType")
            ?? throw new InvalidDataException($"{sourceName}: '{field}.mediaType' is missing.");
        var digestText = GetString(element, "digest")
            ?? throw new InvalidDataException($"{sourceName}: '{field}.digest' is missing.");
        if (!Digest.TryParse(digestText, out var digest))
        {
            throw new InvalidDataException($"{sourceName}: '{field}.digest' is not a valid digest: '{digestText}'.");
        }

        if (!element.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number
            || !sizeElement.TryGetInt64(out var size) || size < 0)
        {
            throw new InvalidDataException($"{sourceName}: '{field}.size' is missing or not a non-negative integer.");
        }

        Platform? platform = null;
        if (element.TryGetProperty("platform", out var p) && p.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            // Read as "no platform" it would match any platform asked for.
            throw new InvalidDataException($"{sourceName}: '{field}.platform' is not an object.");
        }

        if (p.ValueKind == JsonValueKind.Object)
        {
            var os = GetString(p, "os");
            var arch = GetString(p, "architecture");
            if (os is not null && arch is not null)
            {
                platform = Platform.Normalise(os, arch, GetString(p, "variant"));
            }
        }

        var urls = element.TryGetProperty("urls", out var u) && u.ValueKind == JsonValueKind.Array
            ? u.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : [];
        return new Descriptor
        {
            MediaType = new MediaType(mediaType),
            Digest = digest,
            Size = size,
            Annotations = ReadStringMap(element, "annotations"),
            Urls = urls,
            Platform = platform,
        };
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, string> ReadStringMap(JsonElement element, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    map[property.Name] = property.Value.GetString()!;
                }
            }
        }

        return map;
    }
}
