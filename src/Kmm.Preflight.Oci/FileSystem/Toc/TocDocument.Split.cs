using System.Text.Json;
using Kmm.Preflight.Oci.Layers;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Parsing a large TOC's entries on two threads: a kernel's zstd:chunked TOC is 5 MB of JSON, and reading it was the
/// biggest cost of finding one file in such a layer.
/// </summary>
/// <remarks>
/// The second thread starts at a guessed entry boundary past the middle (<c>},{"</c>, as Go writes arrays) and parses
/// entries one object at a time up to the array's end. The guess may be wrong, as those bytes can end a string too; the
/// first thread, which reads the whole structure up to there, keeps the second half only if it arrives at an entry
/// starting exactly there. Otherwise, or if the second half failed, it parses on alone, so the result, and any error,
/// is the one a single pass gives.
/// </remarks>
internal static partial class TocDocument
{
    private static long _secondHalvesUsed;

    private static long _followedParses;

    /// <summary>How many parses kept a second half so far in this process (tests check which path ran).</summary>
    internal static long SecondHalvesUsed => Interlocked.Read(ref _secondHalvesUsed);

    /// <summary>How many parses read entries while the TOC was still written, so far in this process (tests check which path ran).</summary>
    internal static long FollowedParses => Interlocked.Read(ref _followedParses);

    /// <summary>
    /// Below this many bytes of entries a TOC is parsed on one thread: starting one costs more than half a parse.
    /// Lowered by the mutation tests and the fuzz target, so that small inputs take the two-thread path too.
    /// </summary>
    internal static int SplitThreshold { get; set; } = 256 * 1024;

    // Depth inside one entry: the root object and the entries array are the other two of the whole document's 16.
    private static readonly JsonReaderOptions EntryOptions = new() { MaxDepth = 14, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    // What follows the entries array: either the root's end or more properties, read as a root object of their own.
    private static TocListing? ReadAfterEntries(ReadOnlyMemory<byte> json, int resumeAt, ParseSettings settings)
    {
        var rest = json.Span[resumeAt..].TrimStart(JsonWhitespace);
        if (rest.Length > 0 && rest[0] == (byte)'}')
        {
            return null;
        }

        if (rest.Length == 0 || rest[0] != (byte)',' || rest[1..].TrimStart(JsonWhitespace) is not [(byte)'"', ..])
        {
            throw new TocInvalidException("the TOC is not valid JSON: the entries array is followed by neither ',' and a property nor '}'");
        }

        byte[] tail = [(byte)'{', .. rest[1..]];
        var reader = new Utf8JsonReader(tail, Options);
        reader.Read();
        return ReadRoot(ref reader, tail, settings with { SplitAllowed = false });
    }

    /// <summary>How one TOC is parsed.</summary>
    private sealed record ParseSettings(LayerLimits Limits, bool SkipChunks, bool SplitAllowed, bool PlainEntries = true);

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int position)
    {
        var next = json[position..].IndexOfAnyExcept(JsonWhitespace);
        return next < 0 ? json.Length : position + next;
    }

    private static ReadOnlySpan<byte> JsonWhitespace => " \t\r\n"u8;

    /// <summary>
    /// Steps over the rest of a chunk entry (after its leading <c>"type":"chunk"</c>) to just past its closing brace:
    /// strings are skipped whole (escapes included) and nesting counted, without tokenizing the values. Its chunk type,
    /// when written plainly, is still checked.
    /// </summary>
    private static int SkipChunkRest(ReadOnlySpan<byte> json, int position, int index)
    {
        var start = position;

        // Usually the first '}' ends it: when nothing before it is a backslash, bracket or brace and its quotes pair
        // up, it is outside every string and closes the entry, as the walk below would find, in three searches.
        var close = json[position..].IndexOf((byte)'}');
        if (close >= 0)
        {
            var body = json.Slice(position, close);
            if (body.IndexOfAny(NotInPlainChunk) < 0 && (body.Count((byte)'"') & 1) == 0)
            {
                position += close + 1;
                CheckChunkType(json[start..position], index);
                return position;
            }
        }

        var depth = 1;
        while (true)
        {
            var next = json[position..].IndexOfAny(Structural);
            if (next < 0)
            {
                throw new TocInvalidException($"the TOC is not valid JSON: TOC entry {index} does not end");
            }

            position += next;
            switch (json[position])
            {
                case (byte)'"':
                    position = SkipString(json, position + 1, index);
                    break;
                case (byte)'{' or (byte)'[':
                    if (++depth > EntryOptions.MaxDepth)
                    {
                        throw new TocInvalidException($"the TOC is not valid JSON: TOC entry {index} nests deeper than {EntryOptions.MaxDepth}");
                    }

                    position++;
                    break;
                default:
                    position++;
                    if (--depth == 0)
                    {
                        CheckChunkType(json[start..position], index);
                        return position;
                    }

                    break;
            }
        }
    }

    // Past a string's closing quote, from just after its opening one.
    private static int SkipString(ReadOnlySpan<byte> json, int position, int index)
    {
        while (true)
        {
            var next = json[position..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                throw new TocInvalidException($"the TOC is not valid JSON: a string in TOC entry {index} does not end");
            }

            position += next;
            if (json[position] == (byte)'"')
            {
                return position + 1;
            }

            position += 2;
        }
    }

    private static void CheckChunkType(ReadOnlySpan<byte> rest, int index)
    {
        var at = rest.IndexOf("\"chunkType\":\""u8);
        if (at < 0)
        {
            return;
        }

        var value = rest[(at + 13)..];
        if (!value.StartsWith("data\""u8) && !value.StartsWith("zeros\""u8))
        {
            var end = value.IndexOf((byte)'"');
            throw new TocInvalidException($"TOC entry {index} has unknown chunk type '{Shorten(System.Text.Encoding.UTF8.GetString(end < 0 ? value[..Math.Min(value.Length, 20)] : value[..Math.Min(end, 80)]))}'");
        }
    }

    private static readonly System.Buffers.SearchValues<byte> Structural = System.Buffers.SearchValues.Create("\"{}[]"u8);

    private static readonly System.Buffers.SearchValues<byte> NotInPlainChunk = System.Buffers.SearchValues.Create("\\{[]"u8);

    /// <summary>Entries as they are read, with chunks folded into the entry before them.</summary>
    /// <param name="limits">Bounds on the entries.</param>
    /// <param name="bytes">How much JSON the run may read: its lists start at about the size that takes (a kernel's
    /// entries take 350 to 1,000 bytes, its data starts half that), instead of growing there by copies.</param>
    /// <param name="skipChunks">Whether chunks are stepped over unread (then no data starts are kept).</param>
    private sealed class EntryRun(LayerLimits limits, int bytes, bool skipChunks)
    {
        // Finished entries as objects: a list of the (large) value type grew by copies on the large-object heap,
        // which cost a full garbage collection in every lookup.
        private readonly List<TocEntry> _entries = new((int)Math.Clamp(bytes / 512L, 0, limits.MaxEntries));
        // Only eStargz ranges use the data offsets. With chunks skipped (zstd:chunked) theirs are not read, so the list
        // would be incomplete anyway: it is not kept, and a kernel's TOC saves 160 KB of fresh memory.
        private readonly List<long> _starts = skipChunks ? [] : new((int)Math.Clamp(bytes / 256L, 0, limits.MaxEntries));

        // The last entry, still taking the chunks that follow it. What they change is kept beside it rather than in a
        // new copy of the entry for each chunk: copying the entry into this object took a tenth of the parse.
        private RawEntry _pending;
        private bool _hasPending;
        private long _pendingLastChunkOffset;
        private bool _pendingChunkShared;

        public PreviousName Previous;

        /// <summary>Entries read, chunks counted.</summary>
        public int Count { get; private set; }

        /// <summary>Whether chunks came before any entry (a second half starting inside a file's chunks).</summary>
        public bool LeadingChunks { get; private set; }

        public long LeadingChunkOffset { get; private set; }

        public bool LeadingChunkShared { get; private set; }

        /// <summary>Where the array ends (just past its ']'), for a second half.</summary>
        public int End { get; set; }

        public void Add(in RawEntry entry)
        {
            if (Count >= limits.MaxEntries)
            {
                throw new TocInvalidException($"the TOC lists more than {limits.MaxEntries} entries, the most allowed");
            }

            Count++;
            if (entry.Offset > 0 && !skipChunks)
            {
                _starts.Add(entry.Offset);
            }

            if (ReferenceEquals(entry.Type, Chunk))
            {
                if (_hasPending)
                {
                    _pendingLastChunkOffset = Math.Max(_pendingLastChunkOffset, entry.Offset);
                    _pendingChunkShared |= entry.InnerOffset != 0;
                }
                else if (_entries.Count == 0)
                {
                    LeadingChunks = true;
                    LeadingChunkOffset = Math.Max(LeadingChunkOffset, entry.Offset);
                    LeadingChunkShared |= entry.InnerOffset != 0;
                }

                return;
            }

            FinishPending();
            _pending = entry;
            (_hasPending, _pendingLastChunkOffset, _pendingChunkShared) = (true, entry.LastChunkOffset, entry.ChunkInSharedMember);
        }

        /// <summary>Appends a second half that began right after this run's last entry.</summary>
        public void Append(EntryRun rest)
        {
            if (Count + rest.Count > limits.MaxEntries)
            {
                throw new TocInvalidException($"the TOC lists more than {limits.MaxEntries} entries, the most allowed");
            }

            if (rest.LeadingChunks && _hasPending)
            {
                _pendingLastChunkOffset = Math.Max(_pendingLastChunkOffset, rest.LeadingChunkOffset);
                _pendingChunkShared |= rest.LeadingChunkShared;
            }

            FinishPending();
            foreach (var entry in rest._entries)
            {
                entry.Index += Count;
            }

            _entries.AddRange(rest._entries);
            if (rest._hasPending)
            {
                _pending = rest._pending with { Index = rest._pending.Index + Count };
                (_hasPending, _pendingLastChunkOffset, _pendingChunkShared) = (true, rest._pendingLastChunkOffset, rest._pendingChunkShared);
            }

            _starts.AddRange(rest._starts);
            Count += rest.Count;
        }

        public TocListing ToListing()
        {
            FinishPending();
            return new TocListing(_entries, _starts);
        }

        private void FinishPending()
        {
            if (_hasPending)
            {
                _entries.Add(_pending.ToEntry(_pendingLastChunkOffset, _pendingChunkShared));
                _hasPending = false;
                _pending = default;
            }
        }
    }

    /// <summary>The second half of the entries, parsed on a thread of its own from a guessed boundary.</summary>
    private sealed class SecondHalf
    {
        private readonly ReadOnlyMemory<byte> _json;
        private readonly ParseSettings _settings;
        private readonly Task<EntryRun?> _task;
        private volatile bool _abandoned;

        private SecondHalf(ReadOnlyMemory<byte> json, int start, ParseSettings settings)
        {
            (_json, Start, _settings) = (json, start, settings);
            // A ready thread, not the pool's: when a followed TOC is all written, the pool's workers are busy hashing
            // it and serving requests, and the half waited 1.9 ms (median of 30) for one while a core idled.
            _task = Threading.ReadyThreads.Run(Run);
        }

        /// <summary>Where the guessed entry begins (its '{').</summary>
        public int Start { get; }

        /// <summary>Whether the first thread no longer wants this half.</summary>
        public bool IsAbandoned => _abandoned;

        /// <summary>Starts a second half when the array after <paramref name="arrayStart"/> is large enough to gain from one.</summary>
        public static SecondHalf? TryStart(ReadOnlyMemory<byte> json, int arrayStart, ParseSettings settings)
        {
            if (json.Length - arrayStart < SplitThreshold || Environment.ProcessorCount < 2)
            {
                return null;
            }

            var start = GuessEntryStart(json.Span, arrayStart + ((json.Length - arrayStart) / 2));
            return start < 0 ? null : new SecondHalf(json, start, settings);
        }

        /// <summary>
        /// The first '{' at or after <paramref name="from"/> that looks like an entry's start: '}' ',' before it and '"'
        /// after it, with any JSON whitespace between (ctr-remote indents its TOC with tabs and newlines; Go's compact
        /// form has none). -1 when there is none.
        /// </summary>
        private static int GuessEntryStart(ReadOnlySpan<byte> json, int from)
        {
            for (var at = from; at < json.Length; at++)
            {
                var next = json[at..].IndexOf((byte)'{');
                if (next < 0)
                {
                    return -1;
                }

                at += next;
                var before = json[..at].TrimEnd(JsonWhitespace);
                if (before is [.., (byte)','] && before[..^1].TrimEnd(JsonWhitespace) is [.., (byte)'}']
                    && json[(at + 1)..].TrimStart(JsonWhitespace) is [(byte)'"', ..])
                {
                    return at;
                }
            }

            return -1;
        }

        /// <summary>The parsed second half, or null when it could not be parsed (the first thread then goes on alone).</summary>
        public EntryRun? Join() => _task.GetAwaiter().GetResult();

        /// <summary>
        /// Tells the second half its work is not wanted and waits for it to stop, at its next entry: the JSON it reads
        /// may be freed once the parse returns.
        /// </summary>
        public void Abandon()
        {
            _abandoned = true;
            try
            {
                // It stops at its next entry (one not started yet stops at once, seeing it is abandoned).
                _task.Wait();
            }
            catch (AggregateException)
            {
                // Its failure does not matter: the first thread has read, or is reading, that part itself.
            }
        }

        private EntryRun? Run()
        {
            try
            {
                var run = new EntryRun(_settings.Limits, _json.Length - Start, _settings.SkipChunks);
                SecondHalf? none = null;
                (run.End, _) = WalkEntries(_json, Start, run, ref none, _settings, this, null);
                return run;
            }
            catch (Exception e) when (e is JsonException or TocInvalidException or InvalidOperationException or FormatException or OperationCanceledException)
            {
                // The first thread parses this part itself and reports any problem with the entry's true index.
                return null;
            }
        }
    }
}
