using System.Text.Json;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Parses the TOC JSON (<c>{"version": 1, "entries": [...]}</c>), which is untrusted: every field is checked. One
/// forward pass with <see cref="Utf8JsonReader"/>: a kernel's TOC is ~2 MB, and a document object model of it cost
/// more than everything else a TOC lookup does.
/// </summary>
internal static partial class TocDocument
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    /// <summary>The entries of the TOC in <paramref name="json"/>.</summary>
    /// <exception cref="TocInvalidException">Not valid JSON, not a TOC, or beyond <paramref name="limits"/>.</exception>
    /// <param name="json">The TOC.</param>
    /// <param name="limits">Bounds on entries and names.</param>
    /// <param name="skipChunks">
    /// Whether <c>chunk</c> entries that start with their type are stepped over unread but for their chunk type
    /// (zstd:chunked: a file's range is its own <c>offset</c>..<c>endOffset</c>, so its chunks are never needed, and they
    /// are most of the TOC). They still count as entries.
    /// </param>
    /// <param name="splitAllowed">False keeps the parse on one thread (tests compare the two).</param>
    /// <param name="plainEntries">False reads every entry with the JSON reader (tests compare the two ways, see TryReadPlain).</param>
    public static TocListing Parse(ReadOnlyMemory<byte> json, LayerLimits limits, bool skipChunks = false, bool splitAllowed = true, bool plainEntries = true) =>
        Translated(() => ParseWhole(json, new ParseSettings(limits, skipChunks, splitAllowed, plainEntries)));

    /// <summary>
    /// The entries of the TOC that is being written into the first <paramref name="length"/> bytes of
    /// <paramref name="json"/>, read as it is written (run it as the buffer's follower): the same result, and the same
    /// first error, as <see cref="Parse"/> over the whole.
    /// </summary>
    /// <remarks>
    /// An entry is read only with a margin of written bytes past its start; one cut at the edge anyway (a huge entry)
    /// fails, and is read again once more is written, so what a cut entry looks like is never reported. When the last
    /// byte is written, the rest is split across two threads as <see cref="Parse"/> splits the whole.
    /// </remarks>
    /// <exception cref="TocInvalidException">Not valid JSON, not a TOC, or beyond <paramref name="limits"/>.</exception>
    /// <exception cref="OperationCanceledException">The writing was abandoned.</exception>
    public static TocListing ParseFollowing(TocJsonBuffer json, int length, LayerLimits limits, bool skipChunks = false) =>
        Translated(() =>
        {
            var memory = json.Memory[..length];
            var settings = new ParseSettings(limits, skipChunks, SplitAllowed: true);
            var step = Math.Max(1, ReadMargin / 16);
            var wanted = Math.Min(length, step);
            while (true)
            {
                var written = Math.Min(json.WaitFor(wanted), length);
                var arrayStart = json.IsComplete ? Unusual : EntriesStart(memory.Span[..written]);
                if (arrayStart > 0)
                {
                    Interlocked.Increment(ref _followedParses);
                    var (listing, resumeAt) = ReadEntries(memory, arrayStart, settings, json);
                    json.WaitFor(length);
                    return ReadAfterEntries(memory, resumeAt, settings) ?? listing;
                }

                if (arrayStart == Unusual || written >= MaxHeadBytes)
                {
                    break;
                }

                wanted = Math.Min(length, written + step);
            }

            // All written already, or not the usual head (a version, then the entries): read whole, as Parse reads it.
            json.WaitFor(length);
            return ParseWhole(memory, settings);
        });

    private static TocListing ParseWhole(ReadOnlyMemory<byte> json, ParseSettings settings)
    {
        var reader = new Utf8JsonReader(json.Span, Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new TocInvalidException("the TOC JSON has no \"entries\" array");
        }

        var entries = ReadRoot(ref reader, json, settings);
        return entries ?? throw new TocInvalidException("the TOC JSON has no \"entries\" array");
    }

    private static TocListing Translated(Func<TocListing> parse)
    {
        try
        {
            return parse();
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

    // The root object's properties, from just inside it (or, after the entries array, which is read by position, from
    // the property following it: see ReadAfterEntries) to its end.
    private static TocListing? ReadRoot(ref Utf8JsonReader reader, ReadOnlyMemory<byte> json, ParseSettings settings)
    {
        TocListing? entries = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("entries"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new TocInvalidException("the TOC JSON has no \"entries\" array");
                }

                // The entries are read by position (see WalkEntries), so this reader never reaches the array's end:
                // what follows the array is read by a reader of its own.
                var (listing, resumeAt) = ReadEntries(json, (int)reader.BytesConsumed, settings);
                return ReadAfterEntries(json, resumeAt, settings) ?? listing;
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

        return entries;
    }

    // Chunks (13,000 of a kernel's 18,000 zstd:chunked entries) are checked like any entry but not kept: what a file's
    // range needs of them, the last one's offset and whether one shares a gzip member, is folded into the file's entry.
    private static (TocListing Listing, int ResumeAt) ReadEntries(ReadOnlyMemory<byte> json, int arrayStart, ParseSettings settings, TocJsonBuffer? following = null)
    {
        var run = new EntryRun(settings.Limits, json.Length - arrayStart, settings.SkipChunks);

        // While the JSON is still being written, the second half starts only once it is all there (see WalkEntries).
        var second = settings.SplitAllowed && following is null ? SecondHalf.TryStart(json, arrayStart, settings) : null;
        try
        {
            var (position, atBoundary) = WalkEntries(json, arrayStart, run, ref second, settings, null, following);
            if (atBoundary)
            {
                // Reading every entry up to there, this thread found one starting exactly where the other began.
                if (second!.Join() is { } rest)
                {
                    run.Append(rest);
                    Interlocked.Increment(ref _secondHalvesUsed);
                    return (run.ToListing(), rest.End);
                }

                second.Abandon();
                second = null;
                (position, _) = WalkEntries(json, position, run, ref second, settings, null, null);
            }

            return (run.ToListing(), position);
        }
        finally
        {
            second?.Abandon();
        }
    }

    // Reads entries from position (an entry's start, or the array's ']') to the array's end, one reader an entry, and
    // returns the position just past the ']'; or stops where the second half starts, when an entry starts exactly
    // there, returning it with AtBoundary set. With following (the JSON still being written into that buffer), only
    // written bytes are read, and once they are all there a second half is started for the rest when settings allow.
    private static (int Position, bool AtBoundary) WalkEntries(ReadOnlyMemory<byte> json, int position, EntryRun run, ref SecondHalf? second, ParseSettings settings, SecondHalf? self, TocJsonBuffer? following)
    {
        var whole = json.Span;
        var (limit, complete) = following is null ? (whole.Length, true) : Readable(following, position, whole.Length);
        var splitTried = complete;
        while (true)
        {
            var start = SkipWhitespace(whole[..limit], position);
            if (start < limit || complete)
            {
                position = start;
                break;
            }

            (limit, complete) = Readable(following!, limit, whole.Length);
        }

        if (position < whole.Length && whole[position] == (byte)']')
        {
            return (position + 1, false);
        }

        while (self?.IsAbandoned != true && following?.IsAbandoned != true)
        {
            // Once it is all written, the rest is read at once, split: the writer may be far ahead by then.
            if (!complete && (limit - position < ReadMargin || following!.IsComplete))
            {
                (limit, complete) = Readable(following!, position, whole.Length);
            }

            if (complete && !splitTried)
            {
                splitTried = true;
                second = settings.SplitAllowed ? SecondHalf.TryStart(json, position, settings) : null;
            }

            if (position == (second?.Start ?? -1))
            {
                return (position, true);
            }

            var view = whole[..limit];
            var entryStart = position;
            RawEntry entry;
            int next;
            if (complete)
            {
                next = ReadOne(view, position, run, settings, out entry);
            }
            else
            {
                try
                {
                    next = ReadOne(view, position, run, settings, out entry);
                }
                catch (Exception e) when (e is JsonException or TocInvalidException or InvalidOperationException or FormatException)
                {
                    // Most likely cut at the edge of what is written: read again with more.
                    (limit, complete) = Readable(following!, limit, whole.Length);
                    continue;
                }
            }

            position = SkipWhitespace(view, next);
            if (position == limit && !complete)
            {
                // What follows it is not written yet: read the entry again once it is.
                (limit, complete) = Readable(following!, limit, whole.Length);
                position = entryStart;
                continue;
            }

            run.Add(entry);
            if (position < view.Length && view[position] == (byte)',')
            {
                position = SkipWhitespace(view, position + 1);
                if (position < view.Length || complete)
                {
                    continue;
                }

                (limit, complete) = Readable(following!, position, whole.Length);
                position = SkipWhitespace(whole[..limit], position);
                continue;
            }

            if (position < view.Length && view[position] == (byte)']')
            {
                return (position + 1, false);
            }

            throw new TocInvalidException($"the TOC is not valid JSON: TOC entry {run.Count - 1} is followed by neither ',' nor ']'");
        }

        throw new OperationCanceledException("abandoned");
    }

    // The entry starting at position, and the position just past it. The entry is written where the caller keeps it:
    // returned in a tuple, the 100-byte value was copied two or three times an entry, with a write barrier each.
    private static int ReadOne(ReadOnlySpan<byte> whole, int position, EntryRun run, ParseSettings settings, out RawEntry entry)
    {
        if (settings.SkipChunks && whole[position..].StartsWith(ChunkStart))
        {
            // What a reader would see first of a chunk written as Go writes it; the rest is stepped over as below.
            entry = SkippedChunk(run.Count);
            return SkipChunkRest(whole, position + ChunkStart.Length, run.Count);
        }

        if (settings.PlainEntries && position < whole.Length && whole[position] == (byte)'{' && TryReadPlain(whole, position, run.Count, settings, ref run.Previous, out entry, out var after, out var chunkRest))
        {
            return chunkRest ? SkipChunkRest(whole, after, run.Count) : after;
        }

        var reader = new Utf8JsonReader(whole[position..], EntryOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new TocInvalidException($"TOC entry {run.Count} is not an object");
        }

        entry = ReadEntry(ref reader, whole, position, run.Count, settings, ref run.Previous, out var skipRest);
        var next = position + (int)reader.BytesConsumed;
        return skipRest ? SkipChunkRest(whole, next, run.Count) : next;
    }

    /// <summary>
    /// How far past an entry's start the JSON must be written before a follower reads the entry. Lowered by the tests
    /// and the fuzz target, so that small inputs are read while they are written too.
    /// </summary>
    internal static int ReadMargin { get; set; } = 64 * 1024;

    // A head longer than this (properties before the entries) is not followed: the TOC is read once written.
    private const int MaxHeadBytes = 64 * 1024;

    private const int NeedMore = 0, Unusual = -1;

    // The end of what may be read, at least ReadMargin past position unless that is past the end, and whether it is the end.
    private static (int Limit, bool Complete) Readable(TocJsonBuffer following, int position, int length)
    {
        var written = following.WaitFor((int)Math.Min(length, (long)position + ReadMargin));
        return following.IsComplete ? (length, true) : (Math.Min(written, length), false);
    }

    // Where the entries array's first element may start, when the JSON begins with at most a version 1 before it (as
    // every TOC writer puts it); NeedMore when the head is not all written yet; else Unusual, and the TOC is read whole,
    // which reports whatever is wrong with it.
    private static int EntriesStart(ReadOnlySpan<byte> head)
    {
        try
        {
            var reader = new Utf8JsonReader(head, isFinalBlock: false, new JsonReaderState(Options));
            if (!reader.Read())
            {
                return NeedMore;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return Unusual;
            }

            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    return Unusual;
                }

                var entries = reader.ValueTextEquals("entries"u8);
                if (!entries && !reader.ValueTextEquals("version"u8))
                {
                    return Unusual;
                }

                if (!reader.Read())
                {
                    return NeedMore;
                }

                if (entries)
                {
                    return reader.TokenType == JsonTokenType.StartArray ? (int)reader.BytesConsumed : Unusual;
                }

                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var version) || version != 1)
                {
                    return Unusual;
                }
            }

            return NeedMore;
        }
        catch (JsonException)
        {
            return Unusual;
        }
    }

    // The reader reads whole[baseOffset..]: positions it gives are relative to that.
    private static RawEntry ReadEntry(ref Utf8JsonReader reader, ReadOnlySpan<byte> whole, int baseOffset, int index, ParseSettings settings, ref PreviousName previous, out bool skipRest)
    {
        var first = true;
        skipRest = false;
        var fields = new EntryFields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueSpan;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (property.SequenceEqual("name"u8)) { fields.Name = NameOf(ref reader, whole, baseOffset, ref previous); }
            else if (property.SequenceEqual("type"u8))
            {
                fields.Type = TypeOf(ref reader);
                if (first && settings.SkipChunks && ReferenceEquals(fields.Type, Chunk))
                {
                    // The rest of the chunk is stepped over by SkipChunkRest.
                    skipRest = true;
                    return SkippedChunk(index);
                }
            }
            else if (property.SequenceEqual("linkName"u8)) { fields.LinkName = reader.ValueSpan.IsEmpty && reader.TokenType == JsonTokenType.String ? string.Empty : reader.GetString(); }
            else if (property.SequenceEqual("digest"u8)) { (fields.DigestText, fields.DigestStart) = DigestOf(ref reader); }
            else if (property.SequenceEqual("chunkType"u8)) { fields.ChunkType = ChunkTypeOf(ref reader); }
            else if (property.SequenceEqual("size"u8)) { fields.Size = reader.GetInt64(); }
            else if (property.SequenceEqual("offset"u8)) { fields.Offset = reader.GetInt64(); }
            else if (property.SequenceEqual("endOffset"u8)) { fields.EndOffset = reader.GetInt64(); }
            else if (property.SequenceEqual("innerOffset"u8)) { fields.InnerOffset = reader.GetInt64(); }
            else if (property.SequenceEqual("mode"u8)) { fields.Mode = reader.GetInt64(); }
            else { reader.Skip(); }

            first = false;
        }

        return Checked(ref fields, whole, baseOffset, index, settings.Limits);
    }

    // The fields of one entry as read, before they are checked: digest positions are relative to the entry's start.
    private struct EntryFields
    {
        public string? Name, Type, LinkName, DigestText, ChunkType;
        public long DigestStart;
        public long Size, Offset, EndOffset, InnerOffset, Mode;

        public EntryFields() => DigestStart = -1;
    }

    // The entry the fields make, once they are checked; baseOffset is where the entry starts in whole.
    private static RawEntry Checked(ref EntryFields fields, ReadOnlySpan<byte> whole, int baseOffset, int index, LayerLimits limits)
    {
        var (name, type, size, offset, endOffset, innerOffset, digestText) = (fields.Name, fields.Type, fields.Size, fields.Offset, fields.EndOffset, fields.InnerOffset, fields.DigestText);
        if (name is null)
        {
            throw new TocInvalidException($"TOC entry {index} has no name");
        }

        if (type is null)
        {
            throw new TocInvalidException($"TOC entry {index} ('{Shorten(name)}') has no type");
        }

        var linkName = fields.LinkName ?? string.Empty;
        if (name.Length > limits.MaxPathLength || linkName.Length > limits.MaxPathLength)
        {
            throw new TocInvalidException($"TOC entry {index} has a name or link longer than {limits.MaxPathLength} characters");
        }

        if (size < 0 || offset < 0 || endOffset < 0 || innerOffset < 0)
        {
            throw new TocInvalidException($"TOC entry {index} ('{name}') has a negative size or offset");
        }

        // A chunk's own digest is never used (a file is verified whole), so a well-formed one is not decoded; a file's
        // is decoded straight from its hex bytes, already checked.
        Sha256Hash? digest = null;
        if (fields.DigestStart >= 0 && !ReferenceEquals(type, Chunk))
        {
            digest = Sha256Hash.FromCheckedHex(whole.Slice(baseOffset + (int)fields.DigestStart + 7, DigestLength - 7));
        }
        else if (digestText is { Length: > 0 })
        {
            digest = Digest.TryParse(digestText, out var parsed) && parsed.Algorithm == "sha256"
                ? Sha256Hash.FromDigest(parsed)
                : throw new TocInvalidException($"TOC entry {index} ('{name}') has digest '{Shorten(digestText)}', not a sha256 digest");
        }

        // zstd:chunked marks runs of zeros as "zeros" chunks; their frames are still in the blob (it must decompress to
        // the whole tar), so a file's range reads the same. Any other kind is unknown.
        if (fields.ChunkType is { Length: > 0 } chunkType && chunkType is not ("data" or "zeros"))
        {
            throw new TocInvalidException($"TOC entry {index} ('{name}') has unknown chunk type '{Shorten(chunkType)}'");
        }

        return new RawEntry(index, name, type, size, linkName, (int)(fields.Mode & 0xFFFF), offset, endOffset, digest, innerOffset, offset, ChunkInSharedMember: false);
    }

    // A file's chunks repeat its name (zstd:chunked lists thousands of them): the previous entry's string is reused
    // when the bytes are the same, instead of decoding a new one.
    private static string? NameOf(ref Utf8JsonReader reader, ReadOnlySpan<byte> whole, int baseOffset, ref PreviousName previous)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return reader.GetString();
        }

        var bytes = reader.ValueSpan;
        if (previous.Name is not null && bytes.SequenceEqual(whole.Slice(previous.Start, previous.Length)))
        {
            return previous.Name;
        }

        var name = reader.GetString()!;
        previous = new PreviousName { Name = name, Start = baseOffset + (int)reader.TokenStartIndex + 1, Length = bytes.Length };
        return name;
    }

    // As NameOf, for a name whose bytes, at start in whole, are plain ASCII.
    private static string PlainNameOf(ReadOnlySpan<byte> whole, int start, int length, ref PreviousName previous)
    {
        var bytes = whole.Slice(start, length);
        if (previous.Name is not null && bytes.SequenceEqual(whole.Slice(previous.Start, previous.Length)))
        {
            return previous.Name;
        }

        var name = System.Text.Encoding.ASCII.GetString(bytes);
        previous = new PreviousName { Name = name, Start = start, Length = length };
        return name;
    }

    private const string Chunk = "chunk";

    // A chunk entry that starts with its type, as skopeo and Go's encoder write them: most of a zstd:chunked TOC.
    private static ReadOnlySpan<byte> ChunkStart => "{\"type\":\"chunk\""u8;

    private static RawEntry SkippedChunk(int index) => new(index, string.Empty, Chunk, 0, string.Empty, 0, 0, 0, null, 0, 0, ChunkInSharedMember: false);

    // The types are few: the shared strings, not one allocation per entry (so "chunk" can be told by reference).
    // Compared as bytes: ValueTextEquals(string) transcodes its argument on every call.
    private static string? TypeOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence && KnownType(reader.ValueSpan) is { } known)
        {
            return known;
        }

        var text = reader.GetString();
        return text == Chunk ? Chunk : text;
    }

    // The shared string for a type written plainly, or null.
    private static string? KnownType(ReadOnlySpan<byte> value) =>
        value.SequenceEqual("chunk"u8) ? Chunk
        : value.SequenceEqual("reg"u8) ? "reg"
        : value.SequenceEqual("dir"u8) ? "dir"
        : value.SequenceEqual("symlink"u8) ? "symlink"
        : value.SequenceEqual("hardlink"u8) ? "hardlink"
        : value.SequenceEqual("char"u8) ? "char"
        : value.SequenceEqual("block"u8) ? "block"
        : value.SequenceEqual("fifo"u8) ? "fifo"
        : null;

    private static string? ChunkTypeOf(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("data"u8) ? "data"
        : reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("zeros"u8) ? "zeros"
        : reader.GetString();

    // Whether the digest is a well-formed sha256 one is told from its bytes; the text is kept for the checks after.
    // A well-formed sha256 digest is returned as its position in the JSON, decoded only when needed.
    private static (string? Text, long Start) DigestOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence && IsWellFormedDigest(reader.ValueSpan))
        {
            return (null, reader.TokenStartIndex + 1);
        }

        return (reader.GetString(), -1);
    }

    private const int DigestLength = 71;

    private static bool IsWellFormedDigest(ReadOnlySpan<byte> bytes) => bytes.Length == DigestLength && bytes.StartsWith("sha256:"u8) && IsLowerHex(bytes[7..]);

    private static bool IsLowerHex(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept(LowerHex);

    private static readonly System.Buffers.SearchValues<byte> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef"u8);

    // An entry as read, before the chunks after it are folded in: a value, so chunks allocate nothing.
    internal readonly record struct RawEntry(
        int Index, string Name, string Type, long Size, string LinkName, int Mode, long Offset, long EndOffset, Sha256Hash? Digest, long InnerOffset, long LastChunkOffset, bool ChunkInSharedMember)
    {
        /// <summary>The entry, with what the chunks after it found: the last one's offset, whether one shares a member.</summary>
        public TocEntry ToEntry(long lastChunkOffset, bool chunkInSharedMember) => new(Index, Name, Type, Size, LinkName, Mode, Offset, EndOffset, Digest, InnerOffset, lastChunkOffset, chunkInSharedMember);
    }

    internal struct PreviousName
    {
        public string? Name;
        public int Start;
        public int Length;
    }

    private static string Shorten(string? value) => value is null ? "null" : value.Length <= 80 ? value : value[..80] + "…";
}
