namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>One logical registry request; the transport adds auth, follows redirects and retries.</summary>
internal sealed record RegistryRequest
{
    /// <summary>The method.</summary>
    public required HttpMethod Method { get; init; }

    /// <summary>Path and query under the registry (<c>/v2/…</c>), or an absolute URL (upload locations).</summary>
    public required string Target { get; init; }

    /// <summary>Token scopes the request needs, most important first.</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>What is being done, for messages, e.g. <c>fetching manifest of 127.0.0.1:5000/app:v1</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>Creates the body afresh for each attempt; null for none.</summary>
    public Func<HttpContent>? Content { get; init; }

    /// <summary>Accept header values.</summary>
    public IReadOnlyList<string> Accept { get; init; } = [];

    /// <summary>Start offset of a <c>Range: bytes=N-</c> request, or null.</summary>
    public long? RangeFrom { get; init; }

    /// <summary>Last offset (inclusive) of a <c>Range: bytes=N-M</c> request with <see cref="RangeFrom"/>, or null for open-ended.</summary>
    public long? RangeTo { get; init; }

    /// <summary>Whether the request may be sent again (false for a body that cannot be replayed).</summary>
    public bool Retryable { get; init; } = true;

    /// <summary>Whether redirects are followed (GET/HEAD of manifests and blobs).</summary>
    public bool FollowRedirects { get; init; } = true;

    /// <summary>Extra headers (e.g. <c>Content-Range</c> is set on content instead).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
