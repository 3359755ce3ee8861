using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Toc;

/// <summary>
/// Fault injection: a forwarding proxy in front of a real registry that drops the <c>Range</c> header, so every blob
/// GET is answered 200 with the whole blob, as by a registry or proxy that does not support ranges.
/// </summary>
internal sealed class RangeStrippingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> Forwarded = new(StringComparer.OrdinalIgnoreCase) { "Accept", "Authorization" };
    private static readonly string[] Returned = ["Docker-Content-Digest", "Docker-Distribution-Api-Version", "WWW-Authenticate", "Location"];
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly LoopbackHttpServer _server;
    private readonly Uri _registry;

    public RangeStrippingProxy(RegistryProcess registry)
    {
        _registry = new Uri($"http://{registry.Host}");
        _server = new LoopbackHttpServer(ForwardAsync);
    }

    /// <summary>Blob GETs that arrived with a Range header (which was dropped).</summary>
    public int RangesDropped { get; private set; }

    public string Host => $"127.0.0.1:{_server.Port}";

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private async Task<LoopbackHttpResponse> ForwardAsync(LoopbackHttpRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_registry, request.Target));
        foreach (var (name, value) in request.Headers)
        {
            if (Forwarded.Contains(name))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
            else if (name.Equals("Range", StringComparison.OrdinalIgnoreCase))
            {
                RangesDropped++;
            }
        }

        using var response = await _http.SendAsync(message);
        var body = request.Method == "HEAD" ? [] : await response.Content.ReadAsByteArrayAsync();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in Returned)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                headers[name] = string.Join(", ", values);
            }
        }

        return new LoopbackHttpResponse((int)response.StatusCode, body, response.Content.Headers.ContentType?.ToString()) { Headers = headers };
    }
}
