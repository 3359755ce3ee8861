using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Testing.Fuzzing;

/// <summary>
/// One untrusted TOC through every way of parsing it, for the fuzzers: on one thread and on two the result must be
/// the same (or the same refusal), and stepping over chunks, or building the index for either format, may refuse only
/// with <see cref="TocInvalidException"/>. A difference is thrown as an <see cref="InvalidOperationException"/>.
/// </summary>
/// <remarks>Shared, as a linked source file, with the afl++ harness (tests/Kmm.Preflight.Fuzzing), which references no test project.</remarks>
public static class TocDifferential
{
    /// <summary>Runs <paramref name="json"/> through every parse; <paramref name="what"/> names the input in a disagreement.</summary>
    public static void Check(byte[] json, LayerLimits limits, string what)
    {
        var single = Outcome(() => TocDocument.Parse(json, limits, skipChunks: false, splitAllowed: false));
        var split = Outcome(() => TocDocument.Parse(json, limits, skipChunks: false, splitAllowed: true));
        if (single.Error != split.Error
            || (single.Listing is { } a && split.Listing is { } b && (!a.Entries.SequenceEqual(b.Entries) || !a.DataStarts.SequenceEqual(b.DataStarts))))
        {
            throw new InvalidOperationException($"{what}: one thread and two disagree: {single.Error ?? $"{single.Listing!.Entries.Count} entries"} / {split.Error ?? $"{split.Listing!.Entries.Count} entries"}");
        }

        var skipped = Outcome(() => TocDocument.Parse(json, limits, skipChunks: true, splitAllowed: true));
        foreach (var (format, listing) in (ReadOnlySpan<(TocFormat, TocListing?)>)[(TocFormat.Estargz, single.Listing), (TocFormat.ZstdChunked, skipped.Listing)])
        {
            if (listing is not null)
            {
                Outcome(() => TocIndexBuilder.Build(Digest.Sha256(json), format, listing, 1L << 40, 0).Toc.Files.Count);
            }
        }
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
