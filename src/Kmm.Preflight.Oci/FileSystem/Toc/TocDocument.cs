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
                        ? ReadEntries(ref reader, json.Span, limits)
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

    private static List<TocEntry> ReadEntries(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, LayerLimits limits)
    {
        var list = new List<TocEntry>();
        var previous = new PreviousName();
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

            list.Add(ReadEntry(ref reader, json, list.Count, limits, ref previous));
        }

        return list;
    }

    private static TocEntry ReadEntry(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int index, LayerLimits limits, ref PreviousName previous)
    {
        string? name = null, type = null, linkName = null, digestText = null, chunkType = null;
        var digestStart = -1L;
        long size = 0, offset = 0, endOffset = 0, innerOffset = 0, mode = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueSpan;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (property.SequenceEqual("name"u8)) { name = NameOf(ref reader, json, ref previous); }
            else if (property.SequenceEqual("type"u8)) { type = TypeOf(ref reader); }
            else if (property.SequenceEqual("linkName"u8)) { linkName = reader.ValueSpan.IsEmpty && reader.TokenType == JsonTokenType.String ? string.Empty : reader.GetString(); }
            else if (property.SequenceEqual("digest"u8)) { (digestText, digestStart) = DigestOf(ref reader); }
            else if (property.SequenceEqual("chunkType"u8)) { chunkType = ChunkTypeOf(ref reader); }
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

        // A chunk's own digest is never used (a file is verified whole), so a well-formed one is not decoded.
        if (digestStart >= 0 && !ReferenceEquals(type, Chunk))
        {
            digestText = System.Text.Encoding.ASCII.GetString(json.Slice((int)digestStart, DigestLength));
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

    // A file's chunks repeat its name (zstd:chunked lists thousands of them): the previous entry's string is reused
    // when the bytes are the same, instead of decoding a new one.
    private static string? NameOf(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ref PreviousName previous)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return reader.GetString();
        }

        var bytes = reader.ValueSpan;
        if (previous.Name is not null && bytes.SequenceEqual(json.Slice(previous.Start, previous.Length)))
        {
            return previous.Name;
        }

        var name = reader.GetString()!;
        previous = new PreviousName { Name = name, Start = (int)reader.TokenStartIndex + 1, Length = bytes.Length };
        return name;
    }

    private const string Chunk = "chunk";

    private static readonly string[] KnownTypes = ["reg", "dir", "symlink", "hardlink", "char", "block", "fifo", Chunk];

    // The types are few: the shared strings, not one allocation per entry (so "chunk" can be told by reference).
    private static string? TypeOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            foreach (var known in KnownTypes)
            {
                if (reader.ValueTextEquals(known))
                {
                    return known;
                }
            }
        }

        var text = reader.GetString();
        return text == Chunk ? Chunk : text;
    }

    private static string? ChunkTypeOf(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("data"u8) ? "data"
        : reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("zeros"u8) ? "zeros"
        : reader.GetString();

    // Whether the digest is a well-formed sha256 one is told from its bytes; the text is kept for the checks after.
    // A well-formed sha256 digest is returned as its position in the JSON, decoded only when needed.
    private static (string? Text, long Start) DigestOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var bytes = reader.ValueSpan;
            if (bytes.Length == DigestLength && bytes.StartsWith("sha256:"u8) && IsLowerHex(bytes[7..]))
            {
                return (null, reader.TokenStartIndex + 1);
            }
        }

        return (reader.GetString(), -1);
    }

    private const int DigestLength = 71;

    private static bool IsLowerHex(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        return true;
    }

    private struct PreviousName
    {
        public string? Name;
        public int Start;
        public int Length;
    }

    private static string Shorten(string? value) => value is null ? "null" : value.Length <= 80 ? value : value[..80] + "…";
}
