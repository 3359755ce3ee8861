using System.Text;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Entries written plainly, as every TOC writer writes them, read without a JSON reader: a flat object of string and
/// integer values, printable ASCII without escapes. Reading a kernel's TOC token by token through
/// <see cref="System.Text.Json.Utf8JsonReader"/> was the largest cost of a TOC lookup after the round trips.
/// </summary>
/// <remarks>
/// Anything else (an escape, a byte outside printable ASCII, null, a nested value, a number that is not a plain
/// integer, a value of the wrong kind) gives up at once and the entry is read by the JSON reader from its start, so
/// the result, and any error, is the reader's. The differential fuzz target compares the two on every input.
/// </remarks>
internal static partial class TocDocument
{
    // The entry starting at position ('{'), when it is written plainly: its fields are then checked as ReadEntry's are.
    private static bool TryReadPlain(ReadOnlySpan<byte> whole, int position, int index, ParseSettings settings, ref PreviousName previous, out RawEntry entry, out int next, out bool skipRest)
    {
        (entry, next, skipRest) = (default, 0, false);
        var fields = new EntryFields();
        var p = Spaces(whole, position + 1);
        if (p >= whole.Length || whole[p] != (byte)'"')
        {
            return false;
        }

        for (var first = true; ; first = false)
        {
            var keyEnd = PlainStringEnd(whole, p + 1);
            if (keyEnd < 0)
            {
                return false;
            }

            var key = whole[(p + 1)..keyEnd];
            p = Spaces(whole, keyEnd + 1);
            if (p >= whole.Length || whole[p] != (byte)':')
            {
                return false;
            }

            p = Spaces(whole, p + 1);
            if (p >= whole.Length)
            {
                return false;
            }

            if (whole[p] == (byte)'"')
            {
                var valueEnd = PlainStringEnd(whole, p + 1);
                if (valueEnd < 0 || !TakeString(key, whole, p + 1, valueEnd - p - 1, position, ref fields, ref previous))
                {
                    return false;
                }

                p = valueEnd + 1;
                if (first && settings.SkipChunks && ReferenceEquals(fields.Type, Chunk))
                {
                    (entry, next, skipRest) = (SkippedChunk(index), p, true);
                    return true;
                }
            }
            else
            {
                var numberEnd = PlainIntegerEnd(whole, p);
                if (numberEnd < 0 || !TakeInteger(key, whole[p..numberEnd], ref fields))
                {
                    return false;
                }

                p = numberEnd;
            }

            p = Spaces(whole, p);
            if (p >= whole.Length)
            {
                return false;
            }

            if (whole[p] == (byte)'}')
            {
                next = p + 1;
                entry = Checked(ref fields, whole, position, index, settings.Limits);
                return true;
            }

            if (whole[p] != (byte)',')
            {
                return false;
            }

            p = Spaces(whole, p + 1);
            if (p >= whole.Length || whole[p] != (byte)'"')
            {
                return false;
            }
        }
    }

    // Past any whitespace at p: usually none, so that is looked at before searching.
    private static int Spaces(ReadOnlySpan<byte> whole, int p) =>
        p < whole.Length && whole[p] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' ? SkipWhitespace(whole, p) : p;

    // A string value for key, as ReadEntry takes it; false where the reader would refuse it (a string for a number).
    private static bool TakeString(ReadOnlySpan<byte> key, ReadOnlySpan<byte> whole, int start, int length, int entryStart, ref EntryFields fields, ref PreviousName previous)
    {
        var value = whole.Slice(start, length);
        if (key.SequenceEqual("name"u8)) { fields.Name = PlainNameOf(whole, start, length, ref previous); }
        else if (key.SequenceEqual("type"u8)) { fields.Type = KnownType(value) ?? Encoding.ASCII.GetString(value); }
        else if (key.SequenceEqual("linkName"u8)) { fields.LinkName = value.IsEmpty ? string.Empty : Encoding.ASCII.GetString(value); }
        else if (key.SequenceEqual("digest"u8))
        {
            (fields.DigestText, fields.DigestStart) = IsWellFormedDigest(value) ? (null, start - entryStart) : (Encoding.ASCII.GetString(value), -1);
        }
        else if (key.SequenceEqual("chunkType"u8)) { fields.ChunkType = value.SequenceEqual("data"u8) ? "data" : value.SequenceEqual("zeros"u8) ? "zeros" : Encoding.ASCII.GetString(value); }
        else if (IsIntegerField(key)) { return false; }

        return true;
    }

    // An integer value for key; false where the reader would refuse it (a number for a string).
    private static bool TakeInteger(ReadOnlySpan<byte> key, ReadOnlySpan<byte> digits, ref EntryFields fields)
    {
        if (!IsIntegerField(key))
        {
            return !(key.SequenceEqual("name"u8) || key.SequenceEqual("type"u8) || key.SequenceEqual("linkName"u8) || key.SequenceEqual("digest"u8) || key.SequenceEqual("chunkType"u8));
        }

        var negative = digits[0] == (byte)'-';
        var value = 0L;
        foreach (var digit in negative ? digits[1..] : digits)
        {
            value = (value * 10) + (digit - '0');
        }

        value = negative ? -value : value;
        if (key.SequenceEqual("size"u8)) { fields.Size = value; }
        else if (key.SequenceEqual("offset"u8)) { fields.Offset = value; }
        else if (key.SequenceEqual("endOffset"u8)) { fields.EndOffset = value; }
        else if (key.SequenceEqual("innerOffset"u8)) { fields.InnerOffset = value; }
        else { fields.Mode = value; }

        return true;
    }

    private static bool IsIntegerField(ReadOnlySpan<byte> key) =>
        key.SequenceEqual("size"u8) || key.SequenceEqual("offset"u8) || key.SequenceEqual("endOffset"u8) || key.SequenceEqual("innerOffset"u8) || key.SequenceEqual("mode"u8);

    // The closing quote of a string starting at start whose bytes are all printable ASCII but backslash; else -1.
    private static int PlainStringEnd(ReadOnlySpan<byte> whole, int start)
    {
        var length = whole[start..].IndexOfAnyExcept(PlainStringBytes);
        return length >= 0 && whole[start + length] == (byte)'"' ? start + length : -1;
    }

    // Just past an integer at start written as JSON writes one (no leading zero, at most 18 digits, so it fits a long)
    // and followed by a delimiter; else -1.
    private static int PlainIntegerEnd(ReadOnlySpan<byte> whole, int start)
    {
        var digitsStart = start < whole.Length && whole[start] == (byte)'-' ? start + 1 : start;
        var count = whole[digitsStart..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        if (count < 0)
        {
            return -1;
        }

        var end = digitsStart + count;
        var delimited = whole[end] is (byte)',' or (byte)'}' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
        return count is > 0 and <= 18 && (whole[digitsStart] != (byte)'0' || count == 1) && delimited ? end : -1;
    }

    // Printable ASCII but the quote and the backslash: a string's bytes that the JSON reader would take as they are.
    private static readonly System.Buffers.SearchValues<byte> PlainStringBytes = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b is not ('"' or '\\')).Select(b => (byte)b)]);
}
