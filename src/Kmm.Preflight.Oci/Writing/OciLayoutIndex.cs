using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources.Layout;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// Adds a tagged entry to a layout's <c>index.json</c>: the entries of other tags, and every field this library does
/// not know, are kept; an entry with the same tag is replaced. Read-modify-write runs under a per-directory lock in this
/// process, and the file is replaced atomically.
/// </summary>
internal static class OciLayoutIndex
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Locks = new(StringComparer.Ordinal);

    /// <summary>Writes an empty <c>index.json</c> unless there is one.</summary>
    public static async Task EnsureAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "index.json");
        if (File.Exists(path))
        {
            return;
        }

        var gate = Locks.GetOrAdd(Path.GetFullPath(path), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                await AtomicFile.WriteAsync(path, Serialise(NewIndex()), cancellationToken);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Lists <paramref name="entry"/> under <paramref name="tag"/> (replacing that tag's entry), or untagged when null.</summary>
    /// <exception cref="InvalidDataException">An existing <c>index.json</c> is not a JSON object or its <c>manifests</c> is not an array.</exception>
    public static async Task AddAsync(string directory, Descriptor entry, string? tag, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "index.json");
        var gate = Locks.GetOrAdd(Path.GetFullPath(path), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var index = File.Exists(path) ? Parse(await File.ReadAllBytesAsync(path, cancellationToken), path) : NewIndex();
            var manifests = index["manifests"] as JsonArray ?? throw new InvalidDataException($"{path}: 'manifests' is not an array.");
            var replaced = tag is null ? [] : manifests.Where(m => m?["annotations"]?[OciLayoutResolver.RefNameAnnotation]?.GetValue<string>() == tag).ToList();
            foreach (var old in replaced)
            {
                manifests.Remove(old);
            }

            manifests.Add(JsonNode.Parse(DescriptorJson.Serialise(json => DescriptorJson.Write(json, entry, withPlatform: true))));
            await AtomicFile.WriteAsync(path, Serialise(index), cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private static JsonObject NewIndex() => new()
    {
        ["schemaVersion"] = 2,
        ["mediaType"] = MediaType.OciIndex.Value,
        ["manifests"] = new JsonArray(),
    };

    private static JsonObject Parse(byte[] content, string path)
    {
        try
        {
            return JsonNode.Parse(content) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
    }

    private static byte[] Serialise(JsonObject index)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, DescriptorJson.WriterOptions))
        {
            index.WriteTo(json);
        }

        return buffer.ToArray();
    }
}
