using System.Text.Json;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>Parses the TOC JSON (<c>{"version": 1, "entries": [...]}</c>), which is untrusted: every field is checked.</summary>
internal static class TocDocument
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    /// <summary>The entries of the TOC in <paramref name="json"/>.</summary>
    /// <exception cref="TocInvalidException">Not valid JSON, not a TOC, or beyond <paramref name="limits"/>.</exception>
    public static List<TocEntry> Parse(ReadOnlyMemory<byte> json, LayerLimits limits)
    {
        try
        {
            using var document = JsonDocument.Parse(json, Options);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                throw new TocInvalidException("the TOC JSON has no \"entries\" array");
            }

            if (root.TryGetProperty("version", out var version) && (version.ValueKind != JsonValueKind.Number || version.GetInt32() != 1))
            {
                throw new TocInvalidException($"the TOC has version {version}, only 1 is known");
            }

            var count = entries.GetArrayLength();
            if (count > limits.MaxEntries)
            {
                throw new TocInvalidException($"the TOC lists {count} entries, more than the {limits.MaxEntries} allowed");
            }

            var list = new List<TocEntry>(count);
            var index = 0;
            foreach (var element in entries.EnumerateArray())
            {
                list.Add(ReadEntry(element, index++, limits));
            }

            return list;
        }
        catch (JsonException e)
        {
            throw new TocInvalidException($"the TOC is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // A field of the wrong JSON kind (string where a number belongs, …).
            throw new TocInvalidException($"the TOC has a field of the wrong type: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new TocInvalidException($"the TOC has a number out of range: {e.Message}", e);
        }
    }

    private static TocEntry ReadEntry(JsonElement element, int index, LayerLimits limits)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new TocInvalidException($"TOC entry {index} is not an object");
        }

        var name = String(element, "name") ?? throw new TocInvalidException($"TOC entry {index} has no name");
        var type = String(element, "type") ?? throw new TocInvalidException($"TOC entry {index} ('{name}') has no type");
        var linkName = String(element, "linkName") ?? string.Empty;
        if (name.Length > limits.MaxPathLength || linkName.Length > limits.MaxPathLength)
        {
            throw new TocInvalidException($"TOC entry {index} has a name or link longer than {limits.MaxPathLength} characters");
        }

        var size = Number(element, "size");
        var offset = Number(element, "offset");
        var endOffset = Number(element, "endOffset");
        var innerOffset = Number(element, "innerOffset");
        if (size < 0 || offset < 0 || endOffset < 0 || innerOffset < 0)
        {
            throw new TocInvalidException($"TOC entry {index} ('{name}') has a negative size or offset");
        }

        Digest? digest = null;
        if (String(element, "digest") is { Length: > 0 } text)
        {
            digest = Digest.TryParse(text, out var parsed) && parsed.Algorithm == "sha256"
                ? parsed
                : throw new TocInvalidException($"TOC entry {index} ('{name}') has digest '{(text.Length > 80 ? text[..80] : text)}', not a sha256 digest");
        }

        // zstd:chunked marks runs of zeros as "zeros" chunks; their frames are still in the blob (it must decompress to
        // the whole tar), so a file's range reads the same. Any other kind is unknown.
        if (String(element, "chunkType") is { Length: > 0 } chunkType && chunkType is not ("data" or "zeros"))
        {
            throw new TocInvalidException($"TOC entry {index} ('{name}') has unknown chunk type '{(chunkType.Length > 20 ? chunkType[..20] : chunkType)}'");
        }

        var mode = Number(element, "mode");
        return new TocEntry(name, type, size, linkName, (int)(mode & 0xFFFF), offset, endOffset, digest, innerOffset);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    private static long Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetInt64() : 0;
}
