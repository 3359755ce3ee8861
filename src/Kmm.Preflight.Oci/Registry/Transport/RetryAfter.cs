namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>Reads <c>Retry-After</c> (seconds or an HTTP date).</summary>
internal static class RetryAfter
{
    /// <summary>The delay the server asks for, capped at <paramref name="max"/>; null when it asks none.</summary>
    public static TimeSpan? From(HttpResponseMessage? response, TimeProvider timeProvider, TimeSpan max)
    {
        var header = response?.Headers.RetryAfter;
        if (header is null)
        {
            return null;
        }

        var delay = header.Delta ?? (header.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        if (delay is null)
        {
            return null;
        }

        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > max ? max : delay;
    }
}
