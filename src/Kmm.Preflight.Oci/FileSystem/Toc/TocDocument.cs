using System.Text.Json;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Parses the TOC JSON (<c>{"version": 1, "entries": [...]}</c>), which is untrusted: every field is checked. One
/// forward pass with <see cref="Utf8JsonReader"/>: a kernel's TOC is ~2 MB, and a document object model of it cost
/// more than everything else a TOC lookup does.
/// </summary>
internal static class TocDocument
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    /// <summary>The entries of the TOC in <paramref name="json"/>.</summary>
    /// <exception cref="TocInvalidException">Not valid JSON, not a TOC, or beyond <paramref name="limits"/>.</exception>
    public static List<TocEntry> Parse(ReadOnlyMemory<byte> json, LayerLimits limits)
    {
        try
        {
            var reader = new Utf8JsonReader(json.Span, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new TocInvalidException("the TOC JSON has no \"entries\" array");
            }

            List<TocEntry>? entries = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("entries"u8))
                {
                    reader.Read();
                    entries = reader.TokenType == JsonTokenType.StartArray
                        ? ReadEntries(ref reader, limits)
                        : throw new TocInvalidException("the TOC JSON has no \"entries\" array");
                }
                else if (reader.ValueTextEquals("version"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var version) || version != 1)
                    {
                        throw new TocInvalidException($"the TOC has version {Shorten(reader.TokenType == JsonTokenType.String ? reader.GetString() : System.Text.Encoding.UTF8.GetString(reader.ValueSpan))}, only 1 is known");
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return entries ?? throw new TocInvalidException("the TOC JSON has no \"entries\" array");
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

    private static List<TocEntry> ReadEntries(ref Utf8JsonReader reader, LayerLimits limits)
    {
        var list = new List<TocEntry>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (list.Count >= limits.MaxEntries)
            {
                throw new TocInvalidException($"the TOC lists more than {limits.MaxEntries} entries, the most allowed");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new TocInvalidException($"TOC entry {list.Count} is not an object");
            }

            list.Add(ReadEntry(ref reader, list.Count, limits));
        }

        return list;
    }

    private static TocEntry ReadEntry(ref Utf8JsonReader reader, int index, LayerLimits limits)
    {
        string? name = null, type = null, linkName = null, digestText = null, chunkType = null;
        long size = 0, offset = 0, endOffset = 0, innerOffset = 0, mode = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueSpan;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (property.SequenceEqual("name"u8)) { name = reader.GetString(); }
            else if (property.SequenceEqual("type"u8)) { type = reader.GetString(); }
            else if (property.SequenceEqual("linkName"u8)) { linkName = reader.GetString(); }
            else if (property.SequenceEqual("digest"u8)) { digestText = reader.GetString(); }
            else if (property.SequenceEqual("chunkType"u8)) { chunkType = reader.GetString(); }
            else if (property.SequenceEqual("size"u8)) { size = reader.GetInt64(); }
            else if (property.SequenceEqual("offset"u8)) { offset = reader.GetInt64(); }
            else if (property.SequenceEqual("endOffset"u8)) { endOffset = reader.GetInt64(); }
            else if (property.SequenceEqual("innerOffset"u8)) { innerOffset = reader.GetInt64(); }
            else if (property.SequenceEqual("mode"u8)) { mode = reader.GetInt64(); }
            else { reader.Skip(); }
        }

        if (name is null)
        {
            throw new TocInvalidException($"TOC entry {index} has no name");
        }

        if (type is null)
        {
            throw new TocInvalidException($"TOC entry {index} ('{Shorten(name)}') has no type");
        }

        linkName ??= string.Empty;
        if (name.Length > limits.MaxPathLength || linkName.Length > limits.MaxPathLength)
        {
            throw new TocInvalidException($"TOC entry {index} has a name or link longer than {limits.MaxPathLength} characters");
        }

        if (size < 0 || offset < 0 || endOffset < 0 || innerOffset < 0)
        {
            throw new TocInvalidException($"TOC entry {index} ('{name}') has a negative size or offset");
        }

        Digest? digest = null;
        if (digestText is { Length: > 0 })
        {
            digest = Digest.TryParse(digestText, out var parsed) && parsed.Algorithm == "sha256"
                ? parsed
                : throw new TocInvalidException($"TOC entry {index} ('{name}') has digest '{Shorten(digestText)}', not a sha256 digest");
        }

        // zstd:chunked marks runs of zeros as "zeros" chunks; their frames are still in the blob (it must decompress to
        // the whole tar), so a file's range reads the same. Any other kind is unknown.
        if (chunkType is { Length: > 0 } && chunkType is not ("data" or "zeros"))
        {
            throw new TocInvalidException($"TOC entry {index} ('{name}') has unknown chunk type '{Shorten(chunkType)}'");
        }

        return new TocEntry(name, type, size, linkName, (int)(mode & 0xFFFF), offset, endOffset, digest, innerOffset);
    }

    private static string Shorten(string? value) => value is null ? "null" : value.Length <= 80 ? value : value[..80] + "…";
}
