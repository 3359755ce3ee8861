using System.Text;
using System.Text.Json;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// Inserts diff IDs and history entries into a config's raw JSON. Only insertions: every byte of the original stays
/// where it was, so fields this library does not model (and their exact spelling) survive an append.
/// </summary>
internal static class ConfigSplice
{
    /// <summary>The config with <paramref name="diffIds"/> and <paramref name="history"/> (comma-separated JSON values) appended.</summary>
    /// <exception cref="InvalidDataException">The config is not a JSON object, or its <c>rootfs</c>/<c>history</c> are repeated or of the wrong type.</exception>
    public static byte[] Append(ReadOnlySpan<byte> config, ReadOnlySpan<byte> diffIds, ReadOnlySpan<byte> history)
    {
        var found = Scan(config);
        var insertions = new List<(long Position, byte[] Text)>();
        if (found.DiffIdsEnd is { } diffIdsEnd)
        {
            insertions.Add((diffIdsEnd, Join(found.DiffIdsCount > 0, diffIds)));
        }
        else if (found.RootfsEnd is { } rootfsEnd)
        {
            insertions.Add((rootfsEnd, Concat(found.RootfsHasMembers ? ",\"diff_ids\":[" : "\"diff_ids\":[", diffIds, "]")));
        }
        else
        {
            insertions.Add((found.RootEnd, Concat(found.RootHasMembers ? ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" : "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[", diffIds, "]}")));
        }

        if (found.HistoryEnd is { } historyEnd)
        {
            insertions.Add((historyEnd, Join(found.HistoryCount > 0, history)));
        }
        else
        {
            // Inserted at the root's end after rootfs, if that went there too: the order of insertions at one position is kept.
            insertions.Add((found.RootEnd, Concat(found.RootHasMembers || found.RootfsEnd is null ? ",\"history\":[" : "\"history\":[", history, "]")));
        }

        using var output = new MemoryStream(config.Length + diffIds.Length + history.Length + 64);
        var copied = 0;
        foreach (var (position, text) in insertions.OrderBy(i => i.Position))
        {
            output.Write(config[copied..(int)position]);
            output.Write(text);
            copied = (int)position;
        }

        output.Write(config[copied..]);
        return output.ToArray();
    }

    private static byte[] Join(bool comma, ReadOnlySpan<byte> values) => comma ? [(byte)',', .. values] : values.ToArray();

    private static byte[] Concat(string before, ReadOnlySpan<byte> values, string after) =>
        [.. Encoding.ASCII.GetBytes(before), .. values, .. Encoding.ASCII.GetBytes(after)];

    private static Positions Scan(ReadOnlySpan<byte> config)
    {
        var reader = new Utf8JsonReader(config, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var positions = new Positions();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException("the config is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                positions.RootHasMembers = true;
                var name = reader.GetString();
                reader.Read();
                if (name == "rootfs")
                {
                    Once(ref positions.SawRootfs, "rootfs");
                    ScanRootfs(ref reader, ref positions);
                }
                else if (name == "history")
                {
                    Once(ref positions.SawHistory, "history");
                    Expect(ref reader, JsonTokenType.StartArray, "history");
                    (positions.HistoryCount, positions.HistoryEnd) = ScanArray(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                throw new InvalidDataException("the config is not a JSON object.");
            }

            positions.RootEnd = reader.TokenStartIndex;
            if (reader.Read())
            {
                throw new InvalidDataException("the config has data after its JSON object.");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the config is not valid JSON ({e.Message}).", e);
        }

        return positions;
    }

    private static void ScanRootfs(ref Utf8JsonReader reader, ref Positions positions)
    {
        Expect(ref reader, JsonTokenType.StartObject, "rootfs");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            positions.RootfsHasMembers = true;
            var name = reader.GetString();
            reader.Read();
            if (name == "diff_ids")
            {
                Once(ref positions.SawDiffIds, "rootfs.diff_ids");
                Expect(ref reader, JsonTokenType.StartArray, "rootfs.diff_ids");
                (positions.DiffIdsCount, positions.DiffIdsEnd) = ScanArray(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        positions.RootfsEnd = reader.TokenStartIndex;
    }

    // Reader on StartArray: counts the elements and returns where the closing bracket is.
    private static (int Count, long End) ScanArray(ref Utf8JsonReader reader)
    {
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            reader.Skip();
        }

        return (count, reader.TokenStartIndex);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string field)
    {
        if (reader.TokenType != type)
        {
            throw new InvalidDataException($"the config's '{field}' is {reader.TokenType}, not {(type == JsonTokenType.StartArray ? "an array" : "an object")}.");
        }
    }

    // Parsers disagree on which of two same-named members wins; appending to one of them would be a guess.
    private static void Once(ref bool seen, string field)
    {
        if (seen)
        {
            throw new InvalidDataException($"the config has '{field}' twice.");
        }

        seen = true;
    }

    private struct Positions
    {
        public bool RootHasMembers;
        public long RootEnd;
        public bool SawRootfs;
        public bool RootfsHasMembers;
        public long? RootfsEnd;
        public bool SawDiffIds;
        public int DiffIdsCount;
        public long? DiffIdsEnd;
        public bool SawHistory;
        public int HistoryCount;
        public long? HistoryEnd;
    }
}
