using System.Text.Json;

namespace Kmm.Preflight.Oci.Sources.DockerArchive;

/// <summary>One entry of a <c>docker save</c> archive's <c>manifest.json</c>.</summary>
/// <param name="Config">Member holding the image config.</param>
/// <param name="RepoTags">The names the image was saved under; empty when saved by ID.</param>
/// <param name="Layers">Members holding the layers, bottom to top.</param>
internal sealed record DockerArchiveManifest(string Config, IReadOnlyList<string> RepoTags, IReadOnlyList<string> Layers)
{
    /// <summary>Parses <c>manifest.json</c>.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a list of entries with Config and Layers.</exception>
    public static IReadOnlyList<DockerArchiveManifest> ParseList(byte[] content, string fileName)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{fileName}: is not a JSON array.");
            }

            return document.RootElement.EnumerateArray().Select((e, i) => ParseEntry(e, $"{fileName}: entry {i}")).ToList();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{fileName}: not valid JSON ({e.Message}).", e);
        }
    }

    private static DockerArchiveManifest ParseEntry(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where}: is not an object.");
        }

        var config = element.TryGetProperty(nameof(Config), out var c) && c.ValueKind == JsonValueKind.String
            ? c.GetString()!
            : throw new InvalidDataException($"{where}: 'Config' is missing.");
        var layers = element.TryGetProperty(nameof(Layers), out var l) && l.ValueKind == JsonValueKind.Array
            ? l.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new InvalidDataException($"{where}: 'Layers' holds a non-string.")).ToList()
            : throw new InvalidDataException($"{where}: 'Layers' is missing.");
        var tags = element.TryGetProperty(nameof(RepoTags), out var t) && t.ValueKind == JsonValueKind.Array
            ? t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : [];
        return new DockerArchiveManifest(config, tags, layers);
    }
}
