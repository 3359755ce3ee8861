namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>
/// A cancellation token that fires when its parent does or when a time has passed on the options' clock, telling the
/// two apart afterwards: one attempt's or one operation's time limit.
/// </summary>
internal sealed class Deadline : IDisposable
{
    // CancellationTokenSource.CancelAfter takes at most this many milliseconds; a longer limit is no limit in practice.
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _parent;
    private readonly ITimer? _timer;

    private Deadline(TimeSpan limit, TimeProvider clock, CancellationToken parent)
    {
        _parent = parent;
        _source = CancellationTokenSource.CreateLinkedTokenSource(parent);
        Limit = limit;
        if (limit >= Longest)
        {
            return;
        }

        if (clock == TimeProvider.System)
        {
            _source.CancelAfter(limit);
        }
        else
        {
            _timer = clock.CreateTimer(static state => Expire((CancellationTokenSource)state!), _source, limit, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The time allowed.</summary>
    public TimeSpan Limit { get; }

    /// <summary>Cancelled by the parent or when the time is up.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether the time ran out (not the parent cancelled).</summary>
    public bool Expired => _source.IsCancellationRequested && !_parent.IsCancellationRequested;

    /// <summary>Starts the clock: <paramref name="limit"/> from now, or sooner if <paramref name="parent"/> is cancelled.</summary>
    public static Deadline Start(TimeSpan limit, TimeProvider clock, CancellationToken parent) => new(limit, clock, parent);

    /// <inheritdoc />
    public void Dispose()
    {
        _timer?.Dispose();
        _source.Dispose();
    }

    private static void Expire(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The operation finished as its time ran out.
        }
    }
}
