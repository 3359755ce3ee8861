namespace Kmm.Preflight.Testing.Faults;

/// <summary>What the <see cref="FaultProxy"/> does to one response instead of relaying it faithfully.</summary>
public abstract record Fault
{
    /// <summary>Sends the headers and <paramref name="Bytes"/> bytes of the body, then resets the connection (RST).</summary>
    public sealed record ResetAfter(long Bytes) : Fault;

    /// <summary>Sends the headers and <paramref name="Bytes"/> bytes of the body, then sends nothing more, keeping the connection open.</summary>
    public sealed record StallAfter(long Bytes) : Fault;

    /// <summary>Sends the headers, then the body one byte every <paramref name="Interval"/>.</summary>
    public sealed record Drip(TimeSpan Interval) : Fault;

    /// <summary>Answers <paramref name="Code"/> (with <c>Retry-After</c> when given) without asking the registry.</summary>
    public sealed record Status(int Code, TimeSpan? RetryAfter = null) : Fault;

    /// <summary>Declares the full <c>Content-Length</c>, sends <paramref name="Bytes"/> bytes of the body, then closes the connection cleanly (FIN).</summary>
    public sealed record TruncateAfter(long Bytes) : Fault;

    /// <summary>Lies in <c>Content-Length</c>: declares and sends only the first <paramref name="Bytes"/> bytes, as if that were the whole body.</summary>
    public sealed record ShortContentLength(long Bytes) : Fault;

    /// <summary>Answers <c>307</c> to the storage listener (another loopback address), with a signed-looking query that expires after <paramref name="Lifetime"/>.</summary>
    public sealed record RedirectToStorage(TimeSpan Lifetime) : Fault;

    /// <summary>Relays the body with one byte flipped at <paramref name="Offset"/> (clamped into the body).</summary>
    public sealed record Tamper(long Offset = 0) : Fault;

    /// <summary>Sends the body, then keeps sending bytes (chunked) until the client goes away.</summary>
    public sealed record Endless : Fault;
}
