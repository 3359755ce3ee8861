using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>Options for <see cref="RegistryClient"/>.</summary>
public sealed record RegistryClientOptions
{
    /// <summary>Where credentials come from; null for anonymous access only.</summary>
    public ICredentialProvider? Credentials { get; init; }

    /// <summary>Per-registry connection settings keyed by <c>host[:port]</c> (plain HTTP, skip TLS verification).</summary>
    public IReadOnlyDictionary<string, RegistryHostSettings> Hosts { get; init; } = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Extra PEM CA files trusted for every registry, besides the system's.</summary>
    public IReadOnlyList<string> CaFiles { get; init; } = [];

    /// <summary>Whether registries on loopback may fall back to plain HTTP when HTTPS fails, as Docker allows.</summary>
    /// <value>Default true.</value>
    public bool AllowLoopbackPlainHttp { get; init; } = true;

    /// <summary>How many times a request is retried after 408/429/5xx or a transient network error.</summary>
    /// <value>Default 4.</value>
    public int MaxRetries { get; init; } = 4;

    /// <summary>
    /// Timeout for establishing a connection: TCP connect plus, for HTTPS, the TLS handshake. Not retried, and never
    /// a reason to fall back to plain HTTP. Does not apply to <see cref="InnerHandler"/>.
    /// </summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one attempt (connected and response headers received).</summary>
    /// <value>Default 60 seconds.</value>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one operation, all attempts included.</summary>
    /// <value>Default 5 minutes.</value>
    public TimeSpan OverallTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First retry delay; later ones grow exponentially, with jitter. A <c>Retry-After</c> header wins.</summary>
    /// <value>Default 500 ms; at most one day.</value>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest <c>Retry-After</c> honoured; longer waits are cut to this.</summary>
    /// <value>Default 60 seconds.</value>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many times a blob read resumes with <c>Range</c> after the connection drops.</summary>
    /// <value>Default 5.</value>
    public int MaxBlobResumes { get; init; } = 5;

    /// <summary>
    /// The throughput floor of a blob download, as curl's <c>--speed-limit</c>: an attempt that receives fewer bytes
    /// than this per second, averaged over <see cref="BlobSpeedWindow"/> of waiting, is cut and resumed with
    /// <c>Range</c>; after <see cref="MaxSlowBlobAttempts"/> such attempts the read fails with a
    /// <see cref="RegistryException"/> naming the host. Catches registries (or proxies) that drip-feed a body, which
    /// no idle timeout notices. 0 turns the floor off.
    /// </summary>
    /// <value>Default 1024 bytes per second.</value>
    public long MinBlobBytesPerSecond { get; init; } = 1024;

    /// <summary>
    /// The window <see cref="MinBlobBytesPerSecond"/> is judged over, as curl's <c>--speed-time</c>. Only time spent
    /// waiting on the network counts, never time the caller spends between reads.
    /// </summary>
    /// <value>Default 20 seconds: a drip-fed blob costs about <c>MaxSlowBlobAttempts × 20 s</c>.</value>
    public TimeSpan BlobSpeedWindow { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How many attempts of one blob read may fall under <see cref="MinBlobBytesPerSecond"/> before it fails.</summary>
    /// <value>Default 2: one resume on a fresh connection, then the verdict.</value>
    public int MaxSlowBlobAttempts { get; init; } = 2;

    /// <summary>
    /// The most connections (so, over HTTP/1.1, requests in flight) this client opens to one registry host; later
    /// requests wait for a free connection within <see cref="AttemptTimeout"/>. Keep it at least the number of blobs
    /// read at once (modules in parallel × layers in parallel), or readers wait on each other. 0 for no cap. Does not
    /// apply to <see cref="InnerHandler"/>.
    /// </summary>
    /// <value>Default 16.</value>
    public int MaxConnectionsPerRegistry { get; init; } = 16;

    /// <summary>
    /// An image's top layer no larger than this is fetched into memory while its config is read, so a lookup the top
    /// layer answers does not wait for one more round trip after resolution. 0 turns prefetching off.
    /// </summary>
    /// <value>
    /// Default 1 MiB; at most this much is held per resolved image, and wasted when the layer is never read. A client
    /// holds at most 32 times this over all the images it resolved: past that the oldest unread prefetches are dropped
    /// (and fetched again if read).
    /// </value>
    public long TopLayerPrefetchBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Whether a top layer eligible for prefetching (see <see cref="TopLayerPrefetchBytes"/>) is still worth
    /// fetching, by digest; false skips it. With a persistent layer index cache, pass
    /// <c>digest =&gt; !cache.Contains(digest)</c> so a run whose indexes are cached downloads no layer at all.
    /// </summary>
    /// <value>Default null: every eligible top layer is prefetched.</value>
    public Func<Digest, bool>? TopLayerPrefetchFilter { get; init; }

    /// <summary>Blobs up to this size are pushed in one PUT; larger ones in PATCH chunks of <see cref="UploadChunkSize"/>.</summary>
    /// <value>Default 64 MiB.</value>
    public long MaxMonolithicUploadBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Chunk size of chunked uploads.</summary>
    /// <value>Default 5 MiB (the smallest chunk some registries, e.g. ECR, accept).</value>
    public int UploadChunkSize { get; init; } = 5 * 1024 * 1024;

    /// <summary>The clock used for token expiry.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>User-Agent sent with every request.</summary>
    public string UserAgent { get; init; } = "kmm-preflight/1.0";

    /// <summary>
    /// The innermost HTTP handler (tests inject faults here); null for one <see cref="SocketsHttpHandler"/> per
    /// registry. It must not follow redirects; <see cref="CaFiles"/> and <see cref="RegistryHostSettings.InsecureSkipTlsVerify"/>
    /// do not apply to it (the caller's handler owns TLS). The client does not dispose it.
    /// </summary>
    public HttpMessageHandler? InnerHandler { get; init; }

    /// <summary>Every problem with these options, empty when they are usable.</summary>
    internal List<string> Problems()
    {
        var problems = new List<string>();
        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                problems.Add($"{name} must be positive (got {value})");
            }
        }

        void NotNegative(long value, string name)
        {
            if (value < 0)
            {
                problems.Add($"{name} must not be negative (got {value})");
            }
        }

        NotNegative(MaxRetries, nameof(MaxRetries));
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(AttemptTimeout, nameof(AttemptTimeout));
        Positive(OverallTimeout, nameof(OverallTimeout));
        if (RetryBaseDelay < TimeSpan.Zero)
        {
            problems.Add($"{nameof(RetryBaseDelay)} must not be negative (got {RetryBaseDelay})");
        }
        else if (RetryBaseDelay > TimeSpan.FromDays(1))
        {
            // Polly's limit: its retry pipeline is built only when a first retry is due, too late to refuse the options.
            problems.Add($"{nameof(RetryBaseDelay)} must be at most one day (got {RetryBaseDelay})");
        }

        if (MaxRetryAfter < TimeSpan.Zero)
        {
            problems.Add($"{nameof(MaxRetryAfter)} must not be negative (got {MaxRetryAfter})");
        }

        NotNegative(MaxBlobResumes, nameof(MaxBlobResumes));
        NotNegative(MinBlobBytesPerSecond, nameof(MinBlobBytesPerSecond));
        Positive(BlobSpeedWindow, nameof(BlobSpeedWindow));
        NotNegative(MaxConnectionsPerRegistry, nameof(MaxConnectionsPerRegistry));
        if (MaxSlowBlobAttempts < 1)
        {
            problems.Add($"{nameof(MaxSlowBlobAttempts)} must be at least 1 (got {MaxSlowBlobAttempts})");
        }

        NotNegative(TopLayerPrefetchBytes, nameof(TopLayerPrefetchBytes));
        NotNegative(MaxMonolithicUploadBytes, nameof(MaxMonolithicUploadBytes));
        if (UploadChunkSize < 1)
        {
            problems.Add($"{nameof(UploadChunkSize)} must be at least 1 (got {UploadChunkSize})");
        }

        if (string.IsNullOrWhiteSpace(UserAgent))
        {
            problems.Add($"{nameof(UserAgent)} must not be empty");
        }

        if (Hosts is null || CaFiles is null || TimeProvider is null)
        {
            problems.Add("Hosts, CaFiles and TimeProvider must not be null");
        }

        return problems;
    }
}
