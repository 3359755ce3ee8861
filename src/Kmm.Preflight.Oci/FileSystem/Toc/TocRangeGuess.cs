using System.Text;
using System.Text.Json;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Where a file's compressed bytes probably are, read from the raw TOC JSON without parsing it: the path a lookup is
/// for is searched as a <c>"name"</c> value and its entry (and, for eStargz, the entries after it) read on their own.
/// Only a guess, used to fetch the file while the whole TOC is parsed; the read uses those bytes only if the parsed,
/// verified TOC gives exactly the same range, and checks them against the file's digest as any read does.
/// </summary>
internal static class TocRangeGuess
{
    /// <summary>Files larger than this (compressed) are not fetched ahead: a wrong guess would cost too much.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 8 };

    /// <summary>
    /// The range <c>[Start, End)</c> of the regular file at <paramref name="path"/> (normalised: no leading '/'), or
    /// null when it cannot be told for sure from the bytes alone.
    /// </summary>
    public static (long Start, long End)? Find(ReadOnlySpan<byte> json, string path, TocFormat format, long dataEnd)
    {
        // A name Go would escape is not searched for: its bytes in the JSON are not the path's.
        if (path.Length == 0 || path.AsSpan().IndexOfAny("\"\\<>&") >= 0 || path.AsSpan().ContainsAnyInRange('\0', '\u001f'))
        {
            return null;
        }

        try
        {
            var needle = Encoding.UTF8.GetBytes($"\"{path}\"");
            for (var from = 0; ;)
            {
                var found = json[from..].IndexOf(needle);
                if (found < 0)
                {
                    return null;
                }

                var at = from + found;
                from = at + needle.Length;
                if (IsNameValue(json[..at]))
                {
                    return RangeOfEntryAround(json, at, needle.AsSpan(1, needle.Length - 2), format, dataEnd);
                }
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    // Whether the string ending the search starts right after `"name":` (whitespace allowed: ctr-remote indents).
    private static bool IsNameValue(ReadOnlySpan<byte> before)
    {
        before = before.TrimEnd(" \t\r\n"u8);
        return before is [.., (byte)':'] && before[..^1].TrimEnd(" \t\r\n"u8).EndsWith("\"name\""u8);
    }

    private static (long Start, long End)? RangeOfEntryAround(ReadOnlySpan<byte> json, int nameAt, ReadOnlySpan<byte> name, TocFormat format, long dataEnd)
    {
        var start = json[..nameAt].LastIndexOf((byte)'{');
        if (start < 0)
        {
            return null;
        }

        var (entry, next) = ReadEntry(json, start);
        if (entry.Type != "reg" || entry.Size <= 0 || entry.Offset <= 0 || entry.InnerOffset != 0 || !name.SequenceEqual(entry.Name))
        {
            return null;
        }

        long end;
        if (format == TocFormat.ZstdChunked)
        {
            end = entry.EndOffset;
        }
        else
        {
            // eStargz: the file's last gzip member ends where the next entry with data begins (the writer lists
            // entries in blob order); its own chunks, right after it, move that point on.
            var lastChunk = entry.Offset;
            end = dataEnd;
            while (true)
            {
                var rest = json[next..].TrimStart(" \t\r\n"u8);
                if (rest is not [(byte)',', ..])
                {
                    break;
                }

                var objectAt = json.Length - rest.Length + 1;
                objectAt = json.Length - json[objectAt..].TrimStart(" \t\r\n"u8).Length;
                (var following, next) = ReadEntry(json, objectAt);
                if (following.Type == "chunk" && name.SequenceEqual(following.Name))
                {
                    if (following.InnerOffset != 0)
                    {
                        return null;
                    }

                    lastChunk = Math.Max(lastChunk, following.Offset);
                    continue;
                }

                if (following.Offset > 0)
                {
                    end = following.Offset;
                    break;
                }
            }

            if (end <= lastChunk)
            {
                return null;
            }
        }

        return end > entry.Offset && end <= dataEnd && end - entry.Offset <= MaxBytes ? (entry.Offset, end) : null;
    }

    // One entry object read on its own from its '{'; the position just past its '}'.
    private static (Fields Entry, int Next) ReadEntry(ReadOnlySpan<byte> json, int start)
    {
        var reader = new Utf8JsonReader(json[start..], Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("not an entry");
        }

        var fields = new Fields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueSpan;
            reader.Read();
            if (property.SequenceEqual("type"u8) && reader.TokenType == JsonTokenType.String)
            {
                fields.Type = reader.ValueTextEquals("reg"u8) ? "reg" : reader.ValueTextEquals("chunk"u8) ? "chunk" : "other";
            }
            else if (property.SequenceEqual("name"u8) && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
            {
                fields.Name = reader.ValueSpan.ToArray();
            }
            else if (reader.TokenType == JsonTokenType.Number && property.SequenceEqual("size"u8))
            {
                fields.Size = reader.GetInt64();
            }
            else if (reader.TokenType == JsonTokenType.Number && property.SequenceEqual("offset"u8))
            {
                fields.Offset = reader.GetInt64();
            }
            else if (reader.TokenType == JsonTokenType.Number && property.SequenceEqual("endOffset"u8))
            {
                fields.EndOffset = reader.GetInt64();
            }
            else if (reader.TokenType == JsonTokenType.Number && property.SequenceEqual("innerOffset"u8))
            {
                fields.InnerOffset = reader.GetInt64();
            }
            else
            {
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("entry does not end");
        }

        return (fields, start + (int)reader.BytesConsumed);
    }

    private sealed class Fields
    {
        public string? Type;
        public byte[] Name = [];
        public long Size;
        public long Offset;
        public long EndOffset;
        public long InnerOffset;
    }
}
