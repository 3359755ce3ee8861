namespace Kmm.Preflight.Testing.Faults;

/// <summary>Applies <see cref="Fault"/> to requests <see cref="Matches"/> accepts, the first <see cref="Times"/> of them (null: always).</summary>
public sealed class FaultRule(Func<ProxiedRequest, bool> matches, Fault fault, int? times = 1)
{
    private int _used;

    /// <summary>Which requests the rule is for.</summary>
    public Func<ProxiedRequest, bool> Matches { get; } = matches ?? throw new ArgumentNullException(nameof(matches));

    /// <summary>The fault.</summary>
    public Fault Fault { get; } = fault ?? throw new ArgumentNullException(nameof(fault));

    /// <summary>How many matching requests get the fault; null for all.</summary>
    public int? Times { get; } = times;

    /// <summary>How many requests got the fault.</summary>
    public int Used => Volatile.Read(ref _used);

    /// <summary>Takes one use when <paramref name="request"/> matches and uses remain.</summary>
    internal bool TryTake(ProxiedRequest request)
    {
        if (!Matches(request))
        {
            return false;
        }

        if (Times is not { } times)
        {
            Interlocked.Increment(ref _used);
            return true;
        }

        while (true)
        {
            var used = Volatile.Read(ref _used);
            if (used >= times)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + 1, used) == used)
            {
                return true;
            }
        }
    }
}
