using Kmm.Preflight.Oci.Threading;

namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>Reading the JSON while it is written: how far the writer has got, and the one reader that follows it.</summary>
internal sealed partial class TocJsonBuffer
{
    private const int Writing = 0, WrittenAll = 1, Stopped = 2;

    private readonly object _gate = new();
    private int _written;
    private int _state;
    private Task? _follower;

    /// <summary>Whether all there is has been written (<see cref="Complete"/>).</summary>
    public bool IsComplete => Volatile.Read(ref _state) == WrittenAll;

    /// <summary>Whether the follower should stop (<see cref="Abandon"/>).</summary>
    public bool IsAbandoned => Volatile.Read(ref _state) == Stopped;

    /// <summary>
    /// Starts <paramref name="read"/> on a ready thread (<see cref="ReadyThreads"/>), to read the JSON as it is written:
    /// on a pool thread it would queue behind the writer and the digest, and start once the writing is over.
    /// </summary>
    /// <param name="read">Reads the JSON, waiting for it with <see cref="WaitFor"/>.</param>
    /// <param name="mapPagesFirst">
    /// Whether that thread first has the kernel map the buffer's pages (when it is large enough to gain from it), so that
    /// the writer does not fault them in one by one: started before the writing, it has the time.
    /// </param>
    /// <exception cref="InvalidOperationException">A follower was started already.</exception>
    public Task<T> Follow<T>(Func<T> read, bool mapPagesFirst = false)
    {
        if (_follower is not null)
        {
            throw new InvalidOperationException("A TOC buffer has one follower.");
        }

        var map = mapPagesFirst && WorthMapping;
        var task = ReadyThreads.Run(
            () =>
            {
                if (map)
                {
                    MapPages();
                }

                return read();
            });
        _follower = task;
        return task;
    }

    /// <summary>The writer has written the first <paramref name="written"/> bytes.</summary>
    public void Advance(int written)
    {
        lock (_gate)
        {
            _written = Math.Clamp(written, _written, _length);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The writer has written all there is: the first <paramref name="written"/> bytes.</summary>
    public void Complete(int written)
    {
        lock (_gate)
        {
            if (_state == Writing)
            {
                (_state, _written) = (WrittenAll, Math.Clamp(written, 0, _length));
            }

            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// The writing stopped before the end, or what was written is not wanted after all (its digest is wrong): the
    /// follower stops at its next step.
    /// </summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _state = Stopped;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Waits until at least <paramref name="target"/> bytes are written, or all there is, and returns how many are.
    /// </summary>
    /// <exception cref="OperationCanceledException">The writing was abandoned.</exception>
    public int WaitFor(int target)
    {
        lock (_gate)
        {
            while (_state == Writing && _written < target)
            {
                Monitor.Wait(_gate);
            }

            return _state == Stopped ? throw new OperationCanceledException("The TOC was not written to its end.") : _written;
        }
    }

    private void StopFollower()
    {
        Abandon();
        try
        {
            _follower?.Wait();
        }
        catch (AggregateException)
        {
            // The follower's result, or failure, belongs to whoever awaited it; here it only has to have stopped.
        }
    }
}
