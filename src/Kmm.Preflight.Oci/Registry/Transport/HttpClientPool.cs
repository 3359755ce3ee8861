using System.Collections.Concurrent;
using System.Net;

namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>
/// One <see cref="HttpClient"/> per registry host, so each carries that registry's TLS settings; redirects are
/// never followed automatically (the transport follows them to control Authorization).
/// </summary>
internal sealed class HttpClientPool : IDisposable
{
    private readonly RegistryClientOptions _options;
    private readonly TlsPolicy _tls;
    private readonly ConcurrentDictionary<string, Lazy<HttpClient>> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly HttpClient? _injected;

    public HttpClientPool(RegistryClientOptions options, TlsPolicy tls)
    {
        _options = options;
        _tls = tls;
        if (options.InnerHandler is not null)
        {
            _injected = Configure(new HttpClient(options.InnerHandler, disposeHandler: false));
        }
    }

    /// <summary>How long establishing a connection (TCP and TLS) may take.</summary>
    public TimeSpan ConnectTimeout => _options.ConnectTimeout;

    /// <summary>The client for requests made on behalf of the registry at <paramref name="registryHost"/> (<c>host[:port]</c>).</summary>
    public HttpClient For(string registryHost) =>
        _injected ?? _clients.GetOrAdd(registryHost, h => new Lazy<HttpClient>(() => Create(h))).Value;

    /// <summary>The settings for <paramref name="registryHost"/>; defaults when none are configured.</summary>
    public RegistryHostSettings SettingsFor(string registryHost) =>
        _options.Hosts.TryGetValue(registryHost, out var settings) ? settings
        : registryHost == References.ImageReference.DockerHubApiHost && _options.Hosts.TryGetValue(References.ImageReference.DockerHubRegistry, out var hub) ? hub
        : new RegistryHostSettings();

    /// <inheritdoc />
    public void Dispose()
    {
        _injected?.Dispose();
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }
    }

    private HttpClient Create(string registryHost)
    {
        var settings = SettingsFor(registryHost);
        var hostOnly = new Uri("https://" + registryHost).IdnHost;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = _options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            UseCookies = false,
            UseProxy = true,
        };
        if (_options.MaxConnectionsPerRegistry > 0)
        {
            // Per server endpoint: the registry's cap; storage hosts it redirects to get the same cap each.
            handler.MaxConnectionsPerServer = _options.MaxConnectionsPerRegistry;
        }

        handler.SslOptions.RemoteCertificateValidationCallback = _tls.CreateCallback(hostOnly, settings.InsecureSkipTlsVerify);
        return Configure(new HttpClient(handler, disposeHandler: true));
    }

    private HttpClient Configure(HttpClient client)
    {
        // Timeouts are ours (per attempt and overall, see RequestResilience); a blob body may take long to stream.
        client.Timeout = Timeout.InfiniteTimeSpan;
        client.DefaultRequestHeaders.UserAgent.ParseAdd(_options.UserAgent);
        return client;
    }
}
