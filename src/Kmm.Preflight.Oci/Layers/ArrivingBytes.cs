namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// A range of a blob whose bytes are still arriving: a reader waits for the part it needs rather than for the whole,
/// so that, say, a table of contents is decompressed while the rest of it is on the wire.
/// </summary>
/// <remarks>The writer reports progress in order and from one thread; readers read only bytes reported as arrived.</remarks>
internal sealed class ArrivingBytes
{
    private readonly object _gate = new();
    private int _arrived;
    private bool _done;
    private Exception? _failure;

    /// <summary>Bytes that will arrive into <paramref name="bytes"/>, from its start.</summary>
    public ArrivingBytes(byte[] bytes) => Bytes = bytes;

    /// <summary>The whole range once it has all arrived; before that, only the part <see cref="WaitFor"/> returned is written.</summary>
    public byte[] Bytes { get; }

    /// <summary>Bytes already in memory, whole.</summary>
    public static ArrivingBytes Whole(byte[] bytes)
    {
        var whole = new ArrivingBytes(bytes);
        whole.Complete();
        return whole;
    }

    /// <summary>The first <paramref name="arrived"/> bytes are written.</summary>
    public void Advance(int arrived)
    {
        lock (_gate)
        {
            _arrived = Math.Clamp(arrived, _arrived, Bytes.Length);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Every byte is written.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            (_arrived, _done) = (Bytes.Length, true);
            Monitor.PulseAll(_gate);
        }
    }

    private void Wake()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>No more will arrive: <paramref name="failure"/> is what went wrong.</summary>
    public void Fail(Exception failure)
    {
        lock (_gate)
        {
            if (!_done)
            {
                (_failure, _done) = (failure, true);
            }

            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> bytes have arrived (at most the whole) and returns how many have.</summary>
    /// <exception cref="ArrivalStoppedException">The bytes stopped arriving before that; its inner exception says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public int WaitFor(int count, CancellationToken cancellationToken = default)
    {
        count = Math.Min(count, Bytes.Length);
        lock (_gate)
        {
            if (_arrived >= count)
            {
                return _arrived;
            }
        }

        using var wake = cancellationToken.UnsafeRegister(static state => ((ArrivingBytes)state!).Wake(), this);
        lock (_gate)
        {
            while (_arrived < count && !_done)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Monitor.Wait(_gate);
            }

            return _arrived >= count
                ? _arrived
                : throw new ArrivalStoppedException($"the range stopped arriving after {_arrived} of {Bytes.Length} bytes: {_failure?.Message}", _failure);
        }
    }
}

/// <summary>The bytes of an <see cref="ArrivingBytes"/> stopped arriving (the download failed); reading the range afresh may work.</summary>
internal sealed class ArrivalStoppedException(string message, Exception? inner) : IOException(message, inner);
