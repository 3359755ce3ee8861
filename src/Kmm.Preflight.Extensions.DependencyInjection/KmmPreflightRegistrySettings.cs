using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Extensions.DependencyInjection;

/// <summary>The bindable part of <see cref="RegistryClientOptions"/>; defaults are the client's own.</summary>
public sealed class KmmPreflightRegistrySettings
{
    private static readonly RegistryClientOptions Defaults = new();

    /// <summary>
    /// Whether credentials come from auth files: <see cref="AuthFile"/> when set, else every file that podman, skopeo
    /// and docker would read (<c>REGISTRY_AUTH_FILE</c>, <c>$XDG_RUNTIME_DIR/containers/auth.json</c>,
    /// <c>~/.docker/config.json</c>…). False for anonymous access only.
    /// </summary>
    /// <value>Default true.</value>
    public bool UseAuthFiles { get; set; } = true;

    /// <summary>The one auth file to read (containers-auth.json or Docker config format); null to discover them.</summary>
    /// <value>Default null.</value>
    public string? AuthFile { get; set; }

    /// <summary>
    /// Per-registry settings. A list, not a dictionary keyed by host: configuration keys cannot hold the colon of
    /// <c>host:port</c>.
    /// </summary>
    public List<KmmPreflightRegistryHostSettings> Hosts { get; set; } = [];

    /// <summary>Extra PEM CA files trusted for every registry, besides the system's.</summary>
    public List<string> CaFiles { get; set; } = [];

    /// <summary>Whether registries on loopback may fall back to plain HTTP when HTTPS fails.</summary>
    /// <value>Default true.</value>
    public bool AllowLoopbackPlainHttp { get; set; } = Defaults.AllowLoopbackPlainHttp;

    /// <summary>Retries after 408/429/5xx or a transient network error.</summary>
    /// <value>Default 4.</value>
    public int MaxRetries { get; set; } = Defaults.MaxRetries;

    /// <summary>Timeout for TCP connect plus TLS handshake.</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = Defaults.ConnectTimeout;

    /// <summary>Timeout of one attempt (connected and response headers received).</summary>
    /// <value>Default 60 seconds.</value>
    public TimeSpan AttemptTimeout { get; set; } = Defaults.AttemptTimeout;

    /// <summary>Timeout of one operation, all attempts included.</summary>
    /// <value>Default 5 minutes.</value>
    public TimeSpan OverallTimeout { get; set; } = Defaults.OverallTimeout;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    /// <value>Default 500 ms.</value>
    public TimeSpan RetryBaseDelay { get; set; } = Defaults.RetryBaseDelay;

    /// <summary>User-Agent sent with every request.</summary>
    /// <value>Default <c>kmm-preflight/1.0</c>.</value>
    public string UserAgent { get; set; } = Defaults.UserAgent;
}
