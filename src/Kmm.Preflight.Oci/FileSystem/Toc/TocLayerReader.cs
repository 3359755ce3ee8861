using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Gzip;
using Kmm.Preflight.Oci.Layers.Tar;
using Kmm.Preflight.Oci.Layers.Zstd;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Threading;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// Indexes a table-of-contents layer from its footer and TOC alone, fetched by range and verified against the digest
/// its descriptor announces, so nothing listed comes from an unverified TOC.
/// </summary>
internal static class TocLayerReader
{
    private const string EstargzTocName = "stargz.index.json";

    // How much of an eStargz blob's end is fetched at first, in the hope that it holds the TOC as well as the footer.
    private const int EstargzTailGuess = 512 * 1024;

    // At most this much between a zstd:chunked TOC and its footer is read through, to fetch both in one request.
    private const int MaxGapReadThrough = 64 * 1024;

    /// <summary>
    /// The ranges <see cref="ReadAsync"/> asks for first: the blob's tail for eStargz (footer, and usually the TOC);
    /// footer and TOC for zstd:chunked. Empty when the location is out of bounds (the read then says why).
    /// </summary>
    public static IReadOnlyList<(long Offset, int Length)> FirstRanges(Descriptor descriptor, TocLocation location, LayerLimits limits)
    {
        if (location.Format == TocFormat.Estargz)
        {
            // The footer only says where the TOC starts; one GET of the blob's tail usually holds both (a kernel's
            // compressed TOC is ~250 KB), saving the second round trip. Otherwise the rest is fetched after. The guess
            // is at most a sixteenth of the blob, so a small layer is not read mostly whole.
            var guess = Math.Min(Math.Min(EstargzTailGuess, limits.MaxTableOfContentsBytes), descriptor.Size / 16);
            var tailLength = (int)Math.Min(descriptor.Size, Math.Max(EstargzFooter.Size, guess));
            return tailLength <= 0 ? [] : [(descriptor.Size - tailLength, tailLength)];
        }

        if (location.Length <= 0 || location.Length > limits.MaxTableOfContentsBytes || location.Offset < 0 || location.Offset + location.Length > descriptor.Size)
        {
            return [];
        }

        // The annotation already gives the TOC's place, so the footer (checked against it before the TOC is used)
        // and the TOC are fetched together: in one request when little or nothing lies between them (skopeo 1.9 puts
        // the footer right after the TOC; later writers put the tar-split there, often larger than the TOC itself).
        // Each request costs a registry far more than a few more bytes in one.
        var footerLength = (int)Math.Min(descriptor.Size, ZstdChunkedFooter.Size);
        var footerStart = descriptor.Size - footerLength;
        var gap = footerStart - (location.Offset + location.Length);
        return gap <= MaxGapReadThrough && descriptor.Size - location.Offset <= limits.MaxTableOfContentsBytes + MaxGapReadThrough + footerLength
            ? [(location.Offset, (int)(descriptor.Size - location.Offset))]
            : [(footerStart, footerLength), (location.Offset, (int)location.Length)];
    }

    /// <summary>The index of <paramref name="layer"/>, whose TOC is at <paramref name="location"/>.</summary>
    /// <exception cref="TocInvalidException">The footer or TOC is wrong, fails its digest, or exceeds the limits.</exception>
    /// <exception cref="RangeIgnoredException">The source sent the whole blob instead of a range.</exception>
    /// <param name="layer">The layer.</param>
    /// <param name="location">Where its descriptor says the TOC is.</param>
    /// <param name="limits">Bounds on the TOC.</param>
    /// <param name="fetchAhead">A normalised path the caller will probably read next: its range, guessed from the raw TOC, is fetched while the TOC is parsed.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<LayerIndex> ReadAsync(IRangeLayer layer, TocLocation location, LayerLimits limits, string? fetchAhead, CancellationToken cancellationToken)
    {
        var descriptor = layer.Descriptor;
        TocListing entries;
        long dataEnd;
        long bytesRead;
        if (location.Format == TocFormat.Estargz)
        {
            if (FirstRanges(descriptor, location, limits) is not [var (tailStart, tailLength)])
            {
                throw new TocInvalidException("the blob is empty");
            }

            var tail = await ReadRangeAsync(layer, tailStart, tailLength, cancellationToken).ConfigureAwait(false);
            var (tocOffset, footerSize) = EstargzFooter.Parse(tail, descriptor.Size);
            var tocBytes = descriptor.Size - footerSize - tocOffset;
            CheckSize(tocBytes, limits, "compressed");
            ArraySegment<byte> compressed;
            bytesRead = tailLength;
            if (tocOffset >= tailStart)
            {
                compressed = new ArraySegment<byte>(tail, (int)(tocOffset - tailStart), (int)tocBytes);
            }
            else
            {
                var head = await ReadRangeAsync(layer, tocOffset, (int)(tailStart - tocOffset), cancellationToken).ConfigureAwait(false);
                compressed = (byte[])[.. head, .. tail.AsSpan(0, (int)(tocBytes - head.Length))];
                bytesRead += head.Length;
            }

            var (json, jsonDigest, parse) = await ExtractEstargzJsonAsync(compressed, limits, cancellationToken).ConfigureAwait(false);
            using var owned = json;
            Verify(jsonDigest, location, "uncompressed TOC JSON");
            StartFetchAhead(layer, json.GetSpan(), fetchAhead, location.Format, tocOffset, cancellationToken);
            entries = await parse.ConfigureAwait(false);
            owned.DisposeInBackground();
            dataEnd = tocOffset;
        }
        else
        {
            CheckSize(location.Length, limits, "compressed");
            CheckSize(location.UncompressedLength, limits, "uncompressed");
            try
            {
                (entries, bytesRead) = await ReadZstdChunkedAsync(layer, location, limits, fetchAhead, arrivingAllowed: true, cancellationToken).ConfigureAwait(false);
            }
            catch (ArrivalStoppedException)
            {
                // The range fetched ahead broke off: asked for afresh, so errors are reported as without it.
                (entries, bytesRead) = await ReadZstdChunkedAsync(layer, location, limits, fetchAhead, arrivingAllowed: false, cancellationToken).ConfigureAwait(false);
            }

            dataEnd = location.Offset;
        }

        return TocIndexBuilder.Build(descriptor.Digest, location.Format, entries, dataEnd, bytesRead, location.Digest).Index;
    }

    // The zstd:chunked TOC, parsed as it decompresses, and decompressed as it arrives when it was fetched ahead in one
    // range: the megabyte took 1.5-2 ms to arrive after the response's headers, time the decompression now overlaps.
    private static async Task<(TocListing Entries, long BytesRead)> ReadZstdChunkedAsync(IRangeLayer layer, TocLocation location, LayerLimits limits, string? fetchAhead, bool arrivingAllowed, CancellationToken cancellationToken)
    {
        var descriptor = layer.Descriptor;
        var ranges = FirstRanges(descriptor, location, limits);
        if (ranges.Count == 0)
        {
            throw new TocInvalidException($"the TOC at {location.Offset}..{location.Offset + location.Length} is not inside the {descriptor.Size}-byte blob");
        }

        var arrivingTask = arrivingAllowed && NativeZstdLibrary.IsAvailable && ranges is [var (start, total)] ? layer.TakeArrivingRange(start, total, cancellationToken) : null;
        var (tailTask, tocTask) = arrivingTask is null ? ReadTocAndFooterAsync(layer, ranges, location, cancellationToken) : (null, null);

        // The output's size is announced: its pages are mapped while the TOC is in flight. One byte more than
        // announced tells a TOC longer than its annotation apart from an exact one.
        using var json = new TocJsonBuffer((int)location.UncompressedLength + 1);

        // The parser's thread is started now, to wait for the first bytes (started when they came, it came late);
        // it first has the buffer's pages mapped, while the TOC is still in flight.
        var length = (int)location.UncompressedLength;
        var parse = json.Follow(() => TocDocument.ParseFollowing(json, length, limits, skipChunks: true), mapPagesFirst: true);
        var bytesFetched = ranges.Sum(r => (long)r.Length);
        ArraySegment<byte> tail, compressed;
        ExceptionDispatchInfo? undecompressable = null;
        if (arrivingTask is not null)
        {
            var arriving = await arrivingTask.ConfigureAwait(false) ?? throw RangeIgnoredException.For(layer);
            var whole = arriving.Bytes.Length;
            var footerLength = (int)Math.Min(whole, ZstdChunkedFooter.Size);
            (tail, compressed) = (new(arriving.Bytes, whole - footerLength, footerLength), new(arriving.Bytes, 0, (int)location.Length));

            // On a ready thread, which may block until each step's input is there (a pool thread blocked so would hold
            // up the reads it waits for). Footer, digest and decompression are then judged in the same order as below.
            undecompressable = await ReadyThreads.Run(() =>
            {
                try
                {
                    DecompressZstdAsync(compressed, json, length, n => arriving.WaitFor(n, cancellationToken), cancellationToken).GetAwaiter().GetResult();
                    return null;
                }
                catch (TocInvalidException e)
                {
                    return ExceptionDispatchInfo.Capture(e);
                }
            }).ConfigureAwait(false);
            arriving.WaitFor(whole, cancellationToken);
            ZstdChunkedFooter.Verify(tail, location);
        }
        else
        {
            // Both are awaited (neither left running when the other fails); the first failure is thrown.
            await Task.WhenAll(tailTask!, tocTask!).ConfigureAwait(false);
            (tail, compressed) = (await tailTask!.ConfigureAwait(false), await tocTask!.ConfigureAwait(false));
            ZstdChunkedFooter.Verify(tail, location);

            // Parsed as it decompresses (libzstd bounds what it writes, so unverified input is safe to decompress, and
            // the parser takes any input), and hashed once it is decompressed, on this thread, while the parser is still
            // at work. Nothing decompressed is used, and no decompression or parse error reported, before the digest is
            // checked, so a tampered TOC is still reported as such. (Hashed on the pool, the hash waited for a free
            // worker until the decompression was over anyway; on a thread of its own, the thread's creation waited for
            // the buffer's pages to be mapped, 3 ms, before the decompression could start.)
            try
            {
                await DecompressZstdAsync(compressed, json, length, null, cancellationToken).ConfigureAwait(false);
            }
            catch (TocInvalidException e)
            {
                undecompressable = ExceptionDispatchInfo.Capture(e);
            }
        }

        Verify(Digest.Sha256(compressed), location, "compressed TOC");
        // Reported only once the digest is known to be right, with where it was thrown.
        undecompressable?.Throw();

        StartFetchAhead(layer, json.GetSpan()[..length], fetchAhead, location.Format, location.Offset, cancellationToken);
        var entries = await parse.ConfigureAwait(false);
        json.DisposeInBackground();
        return (entries, bytesFetched);
    }

    // The file a lookup is for is usually read right after: its request overlaps the parse instead of following it.
    private static void StartFetchAhead(IRangeLayer layer, ReadOnlySpan<byte> json, string? path, TocFormat format, long dataEnd, CancellationToken cancellationToken)
    {
        if (path is not null && TocRangeGuess.Find(json, path, format, dataEnd) is var (start, end))
        {
            layer.FetchAhead(start, (int)(end - start), cancellationToken);
        }
    }

    private static void CheckSize(long bytes, LayerLimits limits, string what)
    {
        if (bytes <= 0 || bytes > limits.MaxTableOfContentsBytes)
        {
            throw new TocInvalidException($"the {what} TOC would be {bytes} bytes; at most {limits.MaxTableOfContentsBytes} are read");
        }
    }

    private static void Verify(Digest actual, TocLocation location, string what)
    {
        if (actual != location.Digest)
        {
            throw new TocInvalidException($"the {what} has digest {actual}, not {location.Digest} as {location.AnnotationPrefix} says");
        }
    }

    // The footer's bytes and the TOC's, from one range that holds both or from two.
    private static (Task<ArraySegment<byte>> Tail, Task<ArraySegment<byte>> Toc) ReadTocAndFooterAsync(IRangeLayer layer, IReadOnlyList<(long Offset, int Length)> ranges, TocLocation location, CancellationToken cancellationToken)
    {
        if (ranges is [var (start, length)])
        {
            var both = ReadRangeAsync(layer, start, length, cancellationToken);
            var footerLength = (int)Math.Min(length, ZstdChunkedFooter.Size);
            return (Slice(both, length - footerLength, footerLength), Slice(both, 0, (int)location.Length));
        }

        var ((tailStart, tailLength), (tocStart, tocLength)) = (ranges[0], ranges[1]);
        return (Slice(ReadRangeAsync(layer, tailStart, tailLength, cancellationToken), 0, tailLength), Slice(ReadRangeAsync(layer, tocStart, tocLength, cancellationToken), 0, tocLength));
    }

    private static async Task<ArraySegment<byte>> Slice(Task<byte[]> bytes, int start, int length) => new(await bytes.ConfigureAwait(false), start, length);

    private static async Task<byte[]> ReadRangeAsync(IRangeLayer layer, long start, int length, CancellationToken cancellationToken)
    {
        await using var stream = await layer.OpenRangeAsync(start, length, cancellationToken).ConfigureAwait(false)
            ?? throw RangeIgnoredException.For(layer);

        // A range fetched ahead is already in memory: its bytes are taken as they are (a megabyte for a kernel's TOC).
        if (stream is MemoryStream { Position: 0 } fetched && fetched.TryGetBuffer(out var whole) && whole is { Offset: 0, Array: { } array } && whole.Count == length && array.Length == length)
        {
            return array;
        }

        var bytes = GC.AllocateUninitializedArray<byte>(length);
        try
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new TocInvalidException($"bytes {start}..{start + length} of the blob ended early: {e.Message}", e);
        }

        return bytes;
    }

    // The TOC member is a gzip stream of a tar holding one file, stargz.index.json.
    // The JSON and its digest, hashed as it is decompressed (while it is still in cache), and its parse, which follows
    // the decompression; its result must not be used before the digest is checked.
    private static async Task<(TocJsonBuffer Json, Digest Digest, Task<TocListing> Parse)> ExtractEstargzJsonAsync(ArraySegment<byte> compressed, LayerLimits limits, CancellationToken cancellationToken)
    {
        TocJsonBuffer? json = null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            await using var gzip = GzipDecoder.Open(new MemoryStream(compressed.Array!, compressed.Offset, compressed.Count, writable: false));
            await using var tar = new LayerTarReader(gzip, limits with { MaxEntries = 16, MaxUncompressedBytes = 2L * limits.MaxTableOfContentsBytes });
            while (await tar.GetNextEntryAsync(cancellationToken).ConfigureAwait(false) is { } entry)
            {
                if (entry.Kind != TarEntryKind.RegularFile || LayerPath.Normalise(entry.Name) != EstargzTocName)
                {
                    continue;
                }

                CheckSize(entry.Size, limits, "uncompressed");
                var length = (int)entry.Size;
                json = new TocJsonBuffer(length);
                var buffer = json;
                var parse = json.Follow(() => TocDocument.ParseFollowing(buffer, length, limits));
                var read = 0;
                while (read < entry.Size)
                {
                    var count = await tar.ReadDataAsync(json.Memory[read..], cancellationToken).ConfigureAwait(false);
                    if (count == 0)
                    {
                        throw new TocInvalidException($"{EstargzTocName} ends after {read} of {entry.Size} bytes");
                    }

                    hash.AppendData(json.GetSpan().Slice(read, count));
                    read += count;
                    json.Advance(read);
                }

                json.Complete(read);
                var done = json;
                json = null;
                return (done, Digest.FromSha256Hash(hash.GetHashAndReset()), parse);
            }
        }
        catch (Exception e) when (e is not TocInvalidException and (InvalidDataException or EndOfStreamException or LayerLimitExceededException))
        {
            throw new TocInvalidException($"the eStargz TOC member is not a gzip tar: {e.Message}", e);
        }
        finally
        {
            json?.Dispose();
        }

        throw new TocInvalidException($"the eStargz TOC member holds no {EstargzTocName}");
    }

    // Into json, one byte longer than announced: that tells a TOC longer than its annotation apart from an exact one.
    // Each step's output is handed to the parser following the buffer; it is told when the TOC is whole, or is not.
    // With waitForInput, the compressed bytes are still arriving: each step waits for its input (native libzstd only).
    private static async Task DecompressZstdAsync(ArraySegment<byte> compressed, TocJsonBuffer json, int uncompressedLength, Action<int>? waitForInput, CancellationToken cancellationToken)
    {
        try
        {
            int read;
            if (NativeZstdLibrary.IsAvailable)
            {
                // In memory already: straight into the buffer, no stream (see DecompressAll for why that matters).
                try
                {
                    read = NativeZstdLibrary.DecompressAll(compressed, json.GetSpan(), json.Advance, DecompressStep, waitForInput);
                }
                catch (InvalidDataException e)
                {
                    throw new TocInvalidException($"the zstd:chunked TOC does not decompress to the {uncompressedLength} bytes announced ({e.Message})", e);
                }
            }
            else
            {
                await using var zstd = ZstdDecoder.Open(new MemoryStream(compressed.Array!, compressed.Offset, compressed.Count, writable: false));
                read = 0;
                while (read <= uncompressedLength)
                {
                    var count = await zstd.ReadAsync(json.Memory[read..Math.Min(json.Memory.Length, read + (DecompressStep * 4))], cancellationToken).ConfigureAwait(false);
                    if (count == 0)
                    {
                        break;
                    }

                    read += count;
                    json.Advance(read);
                }
            }

            if (read != uncompressedLength)
            {
                throw new TocInvalidException($"the zstd:chunked TOC decompresses to {(read > uncompressedLength ? "more than " : string.Empty)}{read} bytes, not the {uncompressedLength} announced");
            }

            json.Complete(read);
        }
        catch (Exception e) when (e is not TocInvalidException and not ArrivalStoppedException and (IOException or InvalidDataException or ZstdSharp.ZstdException))
        {
            throw new TocInvalidException($"the zstd:chunked TOC does not decompress: {e.Message}", e);
        }
        finally
        {
            // Whatever went wrong, the parser is not left waiting for more (a no-op once complete).
            if (!json.IsComplete)
            {
                json.Abandon();
            }
        }
    }

    // Compressed bytes decompressed between reports to the parser: ~300 KB of JSON each, a few dozen for a kernel's TOC.
    private const int DecompressStep = 64 * 1024;
}
