using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>A layer blob read from a registry on demand, or from a copy prefetched while the image was resolved.</summary>
internal sealed class RegistryLayer(RegistryClient client, ImageReference repository, Descriptor descriptor, PrefetchBudget? budget = null) : IRegistryLayer, IRangeLayer
{
    private static readonly Task<byte[]?> Dropped = Task.FromResult<byte[]?>(null);
    private volatile Task<byte[]?>? _prefetch;
    private RegistryException? _slowPrefetch;
    private readonly Lock _rangeLock = new();
    private volatile List<PrefetchedRange>? _ranges;
    private int _rangeHolds;

    /// <inheritdoc />
    public Descriptor Descriptor => descriptor;

    /// <inheritdoc />
    public ImageReference Repository => repository;

    /// <summary>Whether <see cref="StartPrefetch"/> was called.</summary>
    public bool IsPrefetching => _prefetch is not null;

    /// <summary>
    /// Starts reading the whole blob into memory (verified against its digest). A later <see cref="OpenAsync"/> serves
    /// it from memory; if the prefetch failed or was cancelled, it opens the blob afresh, so errors are reported (and
    /// retried) exactly as without a prefetch. The caller bounds the size.
    /// </summary>
    public void StartPrefetch(CancellationToken cancellationToken) => _prefetch ??= ReadWholeAsync(cancellationToken);

    /// <summary>
    /// Starts fetching <paramref name="ranges"/> of the blob (a table of contents' first reads) into memory. A later
    /// <see cref="OpenRangeAsync"/> of exactly one of them waits for it and takes it (each is served once); if the fetch
    /// failed, the range is requested afresh, so errors are reported exactly as without a prefetch.
    /// </summary>
    public void StartRangePrefetch(IReadOnlyList<(long Offset, int Length)> ranges, CancellationToken cancellationToken)
    {
        if (_ranges is not null || ranges.Count == 0)
        {
            return;
        }

        // Held before the ranges are listed, outside the lock (holding may drop other layers' prefetches, each under
        // its own lock), so that each hold is counted exactly while its ranges can be taken.
        budget?.Hold(this, ranges.Sum(r => (long)r.Length));
        var started = ranges.Select(r => Fetch(r.Offset, r.Length, cancellationToken)).ToList();
        lock (_rangeLock)
        {
            _ranges = started;
            _rangeHolds++;
        }
    }

    /// <inheritdoc />
    public void FetchAhead(long offset, int length, CancellationToken cancellationToken)
    {
        if (offset < 0 || length <= 0 || offset + length > descriptor.Size)
        {
            return;
        }

        budget?.Hold(this, length);
        var range = Fetch(offset, length, cancellationToken);
        lock (_rangeLock)
        {
            _ranges = [.. _ranges ?? [], range];
            _rangeHolds++;
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenAsync(long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (_prefetch is { } prefetch && await prefetch.WaitAsync(cancellationToken).ConfigureAwait(false) is { } bytes && offset <= bytes.Length)
        {
            return new MemoryStream(bytes, (int)offset, bytes.Length - (int)offset, writable: false);
        }

        if (_slowPrefetch is { } slow)
        {
            // The prefetch already waited out the throughput floor or the timeouts: a second try would double that.
            throw new RegistryException(slow.Message, slow.Failure.Kind, slow.Failure.Host, slow);
        }

        return await client.OpenBlobAsync(repository, descriptor.Digest, descriptor.Size, offset, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Stream?> OpenRangeAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (offset + length > descriptor.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"bytes {offset}..{offset + length} are not inside blob {descriptor.Digest} ({descriptor.Size} bytes)");
        }

        if (TakeRange(offset, length) is { } range)
        {
            var (ignored, fetched) = await range.Bytes.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (ignored)
            {
                return null;
            }

            if (fetched is not null)
            {
                // Its buffer visible, so a reader that wants the bytes whole takes them without a copy.
                return new MemoryStream(fetched, 0, fetched.Length, writable: false, publiclyVisible: true);
            }
        }

        // Only a prefetch that already finished is used: waiting for one to read the whole blob would cost what
        // the range saves (TOC layers are never prefetched; a checkpointed read may race one).
        if (_prefetch is { IsCompletedSuccessfully: true } prefetch && prefetch.Result is { } bytes && offset + length <= bytes.Length)
        {
            return new MemoryStream(bytes, (int)offset, (int)length, writable: false);
        }

        return await client.OpenBlobRangeAsync(repository, descriptor.Digest, offset, length, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<ArrivingBytes?>? TakeArrivingRange(long offset, int length, CancellationToken cancellationToken) =>
        TakeRange(offset, length) is { } range ? ArrivingAsync(range, cancellationToken) : null;

    private async Task<ArrivingBytes?> ArrivingAsync(PrefetchedRange range, CancellationToken cancellationToken)
    {
        var (ignored, arriving) = await range.Started.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (ignored)
        {
            return null;
        }

        // The fetch failed before its bytes came: the caller asks afresh, so errors are reported as without it.
        return arriving ?? throw new ArrivalStoppedException($"bytes {range.Offset}..{range.Offset + range.Length} of blob {descriptor.Digest} did not start to arrive", null);
    }

    /// <summary>Lets the prefetched bytes go (the client's <see cref="PrefetchBudget"/> is over); a later open fetches the blob.</summary>
    internal void DropPrefetch()
    {
        if (_prefetch is not null)
        {
            _prefetch = Dropped;
            budget?.Release(this);
        }

        lock (_rangeLock)
        {
            _ranges = [];
            ReleaseRangeHolds();
        }
    }

    // Each start of prefetched ranges held its bytes in the budget once; all are let go together.
    private void ReleaseRangeHolds()
    {
        for (; _rangeHolds > 0; _rangeHolds--)
        {
            budget?.Release(this);
        }
    }

    // The prefetched range that is exactly [offset, offset + length), removed from the list: each serves one read.
    private PrefetchedRange? TakeRange(long offset, long length)
    {
        if (_ranges is null)
        {
            return null;
        }

        lock (_rangeLock)
        {
            var index = _ranges.FindIndex(r => r.Offset == offset && r.Length == length);
            if (index < 0)
            {
                return null;
            }

            var range = _ranges[index];
            _ranges.RemoveAt(index);
            if (_ranges.Count == 0)
            {
                ReleaseRangeHolds();
            }

            return range;
        }
    }

    private PrefetchedRange Fetch(long offset, int length, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource<(bool RangeIgnored, ArrivingBytes? Bytes)>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new PrefetchedRange(offset, length, started.Task, ReadRangeAsync(offset, length, started, cancellationToken));
    }

    // The whole range, and as it arrives (started ends when the response's headers are in).
    private async Task<(bool RangeIgnored, byte[]? Bytes)> ReadRangeAsync(long offset, int length, TaskCompletionSource<(bool RangeIgnored, ArrivingBytes? Bytes)> started, CancellationToken cancellationToken)
    {
        ArrivingBytes? arriving = null;
        try
        {
            await using var stream = await client.OpenBlobRangeAsync(repository, descriptor.Digest, offset, length, cancellationToken).ConfigureAwait(false);
            if (stream is null)
            {
                started.TrySetResult((true, null));
                return (true, null);
            }

            // Not cleared first: every byte is overwritten, and a TOC's range (a megabyte) was cleared only to be.
            var bytes = GC.AllocateUninitializedArray<byte>(length);
            arriving = new ArrivingBytes(bytes);
            started.TrySetResult((false, arriving));
            var read = 0;
            while (read < length)
            {
                var count = await stream.ReadAsync(bytes.AsMemory(read), cancellationToken).ConfigureAwait(false);
                if (count == 0)
                {
                    throw new EndOfStreamException($"bytes {offset}..{offset + length} of blob {descriptor.Digest} ended after {read}");
                }

                read += count;
                arriving.Advance(read);
            }

            arriving.Complete();
            return (false, bytes);
        }
        catch (Exception e)
        {
            // Whatever went wrong happens again, and is reported with its own message, when the range is opened; a
            // reader of the arriving bytes is told they stopped.
            started.TrySetResult((false, null));
            arriving?.Fail(e);
            return (false, null);
        }
    }

    private sealed record PrefetchedRange(long Offset, int Length, Task<(bool RangeIgnored, ArrivingBytes? Bytes)> Started, Task<(bool RangeIgnored, byte[]? Bytes)> Bytes);

    private async Task<byte[]?> ReadWholeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var blob = await client.OpenBlobAsync(repository, descriptor.Digest, descriptor.Size, 0, cancellationToken).ConfigureAwait(false);
            var bytes = new byte[descriptor.Size];
            await blob.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);

            // The blob stream verifies size and digest when it reaches its end: one more read gets there.
            if (await blob.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
            {
                return null;
            }

            budget?.Hold(this, bytes.Length);
            return bytes;
        }
        catch (RegistryException e) when (e.Failure.Kind == RegistryFailureKind.Timeout)
        {
            _slowPrefetch = e;
            return null;
        }
        catch (Exception)
        {
            // Whatever went wrong happens again, and is reported with its own message, when the layer is opened.
            return null;
        }
    }
}
