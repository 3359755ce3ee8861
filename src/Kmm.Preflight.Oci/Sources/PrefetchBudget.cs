namespace Kmm.Preflight.Oci.Sources;

/// <summary>
/// Bounds the prefetched top layers one registry client holds in memory. Resolved images are kept for a whole run
/// (modules sharing a reference share them), so without a bound every image's unread prefetch would stay until the
/// end: a run over 500 images held ~100 MB that way. Over the bound the oldest prefetches are dropped; a dropped
/// layer is fetched again, when opened at all.
/// </summary>
internal sealed class PrefetchBudget(long maxBytes)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<(RegistryLayer Layer, long Bytes)> _held = [];
    private long _total;

    /// <summary>Bytes held now.</summary>
    public long Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>Records that <paramref name="layer"/> holds <paramref name="bytes"/>, dropping the oldest others beyond the bound.</summary>
    public void Hold(RegistryLayer layer, long bytes)
    {
        List<RegistryLayer> dropped = [];
        lock (_lock)
        {
            _held.AddLast((layer, bytes));
            _total += bytes;
            while (_total > maxBytes && _held.First is { } oldest && oldest.Value.Layer != layer)
            {
                _held.RemoveFirst();
                _total -= oldest.Value.Bytes;
                dropped.Add(oldest.Value.Layer);
            }
        }

        foreach (var old in dropped)
        {
            old.DropPrefetch();
        }
    }

    /// <summary>Records that <paramref name="layer"/> let its bytes go.</summary>
    public void Release(RegistryLayer layer)
    {
        lock (_lock)
        {
            for (var node = _held.First; node is not null; node = node.Next)
            {
                if (node.Value.Layer == layer)
                {
                    _total -= node.Value.Bytes;
                    _held.Remove(node);
                    return;
                }
            }
        }
    }
}
