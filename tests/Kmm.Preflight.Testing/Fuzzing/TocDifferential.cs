using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Testing.Fuzzing;

/// <summary>
/// One untrusted TOC through every way of parsing it, for the fuzzers: with the JSON reader alone on one thread, with
/// plainly written entries read directly on two, and read while it is written in random steps, chunks read or stepped
/// over, the result must be the same (or the same refusal); building the index for either format may refuse only with
/// <see cref="TocInvalidException"/>. A difference is thrown as an <see cref="InvalidOperationException"/>.
/// </summary>
/// <remarks>Shared, as a linked source file, with the afl++ harness (tests/Kmm.Preflight.Fuzzing), which references no test project.</remarks>
public static class TocDifferential
{
    /// <summary>Runs <paramref name="json"/> through every parse; <paramref name="what"/> names the input in a disagreement.</summary>
    public static void Check(byte[] json, LayerLimits limits, string what)
    {
        // The reference: one thread, every entry through the JSON reader.
        var single = Outcome(() => TocDocument.Parse(json, limits, skipChunks: false, splitAllowed: false, plainEntries: false));
        var split = Outcome(() => TocDocument.Parse(json, limits, skipChunks: false, splitAllowed: true));
        if (single.Error != split.Error
            || (single.Listing is { } a && split.Listing is { } b && (!a.Entries.SequenceEqual(b.Entries) || !a.DataStarts.SequenceEqual(b.DataStarts))))
        {
            throw new InvalidOperationException($"{what}: the JSON reader on one thread and plain reading on two disagree: {single.Error ?? $"{single.Listing!.Entries.Count} entries"} / {split.Error ?? $"{split.Listing!.Entries.Count} entries"}");
        }

        var skipped = Outcome(() => TocDocument.Parse(json, limits, skipChunks: true, splitAllowed: true));
        var skippedByReader = Outcome(() => TocDocument.Parse(json, limits, skipChunks: true, splitAllowed: false, plainEntries: false));
        if (skippedByReader.Error != skipped.Error
            || (skippedByReader.Listing is { } c && skipped.Listing is { } d && (!c.Entries.SequenceEqual(d.Entries) || !c.DataStarts.SequenceEqual(d.DataStarts))))
        {
            throw new InvalidOperationException($"{what}: with chunks stepped over, the JSON reader on one thread and plain reading on two disagree: {skippedByReader.Error ?? $"{skippedByReader.Listing!.Entries.Count} entries"} / {skipped.Error ?? $"{skipped.Listing!.Entries.Count} entries"}");
        }
        foreach (var (skipChunks, whole) in (ReadOnlySpan<(bool, (TocListing? Listing, string? Error))>)[(false, single), (true, skipped)])
        {
            var followed = Outcome(() => ParseWhileWritten(json, limits, skipChunks));
            if (whole.Error != followed.Error
                || (whole.Listing is { } read && followed.Listing is { } kept && (!read.Entries.SequenceEqual(kept.Entries) || !read.DataStarts.SequenceEqual(kept.DataStarts))))
            {
                throw new InvalidOperationException($"{what}: read whole and read while written disagree (chunks {(skipChunks ? "skipped" : "read")}): {whole.Error ?? $"{whole.Listing!.Entries.Count} entries"} / {followed.Error ?? $"{followed.Listing!.Entries.Count} entries"}");
            }
        }

        foreach (var (format, listing) in (ReadOnlySpan<(TocFormat, TocListing?)>)[(TocFormat.Estargz, single.Listing), (TocFormat.ZstdChunked, skipped.Listing)])
        {
            if (listing is not null)
            {
                Outcome(() => TocIndexBuilder.Build(Digest.Sha256(json), format, listing, 1L << 40, 0).Toc.Files.Count);
            }
        }
    }

    /// <summary>
    /// Parses <paramref name="json"/> as a TOC layer read does, while this thread writes it into the buffer in steps of
    /// random size (seeded by the input, so a failure repeats).
    /// </summary>
    internal static TocListing ParseWhileWritten(byte[] json, LayerLimits limits, bool skipChunks)
    {
        using var buffer = new TocJsonBuffer(json.Length);
        var parse = buffer.Follow(() => TocDocument.ParseFollowing(buffer, json.Length, limits, skipChunks));
        var random = new Random(json.Length);
        var written = 0;
        while (written < json.Length)
        {
            var step = Math.Min(json.Length - written, random.Next(1, 3 * Math.Max(2, TocDocument.ReadMargin)));
            json.AsSpan(written, step).CopyTo(buffer.GetSpan()[written..]);
            written += step;
            buffer.Advance(written);
        }

        buffer.Complete(written);
        return parse.GetAwaiter().GetResult();
    }

    private static (T? Listing, string? Error) Outcome<T>(Func<T> parse)
    {
        try
        {
            return (parse(), null);
        }
        catch (TocInvalidException e)
        {
            return (default, e.Message);
        }
    }
}
