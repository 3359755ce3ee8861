using System.Collections.Concurrent;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// Where a registry redirected each blob GET (storage URLs, often signed): later requests for the same blob, such as
/// resumes and ranged reads, go there directly until the URL expires, instead of asking the registry each time.
/// </summary>
internal sealed class BlobLocations(TimeProvider timeProvider)
{
    /// <summary>How long a URL whose expiry is unknown is reused; a 4xx from storage drops it earlier.</summary>
    public static readonly TimeSpan UnknownLifetime = TimeSpan.FromMinutes(5);

    // Leaves a margin for the request in flight, so a URL is not used seconds before it expires.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(15);
    private const int MaxEntries = 4096;
    private readonly ConcurrentDictionary<string, (Uri Location, DateTimeOffset Until)> _locations = new(StringComparer.Ordinal);

    /// <summary>The storage URL for <paramref name="key"/> while it is still valid, or null.</summary>
    public Uri? Get(string key)
    {
        if (!_locations.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.Until > timeProvider.GetUtcNow())
        {
            return entry.Location;
        }

        _locations.TryRemove(new KeyValuePair<string, (Uri, DateTimeOffset)>(key, entry));
        return null;
    }

    /// <summary>Remembers that the registry sent <paramref name="key"/> to <paramref name="location"/>.</summary>
    public void Remember(string key, Uri location)
    {
        var now = timeProvider.GetUtcNow();
        var until = (SignedUrlExpiry.From(location) ?? now + UnknownLifetime) - Margin;
        if (until <= now)
        {
            return;
        }

        if (_locations.Count >= MaxEntries)
        {
            // Blobs are read once or a few times in a burst: forgetting all is cheap and bounds memory.
            _locations.Clear();
        }

        _locations[key] = (location, until);
    }

    /// <summary>Forgets <paramref name="key"/>'s URL (storage refused it).</summary>
    public void Forget(string key) => _locations.TryRemove(key, out _);
}
