using System.Net;
using System.Net.Http.Headers;
using Kmm.Preflight.Oci.Registry.Auth;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>
/// Sends registry requests: finds the endpoint (HTTPS, or plain HTTP when configured or for loopback), adds
/// Authorization, re-authenticates once on 401, follows redirects itself and retries transient failures.
/// </summary>
internal sealed partial class RegistryTransport : IDisposable
{
    private const int MaxRedirects = 10;
    private readonly RegistryClientOptions _options;
    private readonly ILogger _logger;
    private readonly TlsPolicy _tls;
    private readonly HttpClientPool _clients;
    private readonly RequestResilience _resilience;
    private readonly Authenticator _authenticator;

    public RegistryTransport(RegistryClientOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        DigestWarmUp.Start();
        _tls = new TlsPolicy(options.CaFiles);
        _clients = new HttpClientPool(options, _tls);
        _resilience = new RequestResilience(options);
        _authenticator = new Authenticator(options.Credentials, new TokenClient(_clients, _resilience, _tls, logger), options.TimeProvider);
    }

    /// <summary>
    /// Sends <paramref name="request"/> to the registry <paramref name="registry"/> (name for credentials) at
    /// <paramref name="apiHost"/>. The caller owns (and must dispose) the response, whatever its status.
    /// </summary>
    /// <exception cref="RegistryException">The registry cannot be reached, TLS fails, or the operation times out.</exception>
    public async Task<HttpResponseMessage> SendAsync(string registry, string apiHost, RegistryRequest request, CancellationToken cancellationToken)
    {
        var speculative = request.Content is null && request.Retryable && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head);
        if (speculative && !_endpoints.ContainsKey(apiHost))
        {
            return await SendBeforePingAsync(registry, apiHost, request, cancellationToken);
        }

        var endpoint = GetEndpointAsync(registry, apiHost, request.Operation, cancellationToken);
        if (!endpoint.IsCompleted && speculative)
        {
            return await SendAlongsidePingAsync(registry, apiHost, endpoint, request, cancellationToken);
        }

        return await SendToAsync(await endpoint, request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendToAsync(RegistryEndpoint endpoint, RegistryRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await _resilience.ExecuteAsync(token => SendAuthenticatedAsync(endpoint, request, token), request.Retryable, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && TransportErrors.Translate(e, endpoint.BaseUri, request.Operation, _tls, _options.ConnectTimeout) is { } translated)
        {
            throw translated;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _clients.Dispose();
        _tls.Dispose();
    }

    private async Task<HttpResponseMessage> SendAuthenticatedAsync(RegistryEndpoint endpoint, RegistryRequest request, CancellationToken cancellationToken)
    {
        var authorization = await _authenticator.GetAsync(endpoint, request.Scopes, cancellationToken);
        var response = await SendFollowingRedirectsAsync(endpoint, request, authorization, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || (!request.Retryable && request.Content is not null))
        {
            return response;
        }

        var renewed = await _authenticator.OnUnauthorizedAsync(endpoint, response, request.Scopes, authorization, cancellationToken);
        if (renewed is null)
        {
            return response;
        }

        response.Dispose();
        return await SendFollowingRedirectsAsync(endpoint, request, renewed, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(RegistryEndpoint endpoint, RegistryRequest request, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        var client = _clients.For(endpoint.BaseUri.Authority);
        var start = Resolve(endpoint.BaseUri, request.Target);
        var retriedExpiredRedirect = false;
        var uri = start;
        var method = request.Method;
        var withBody = true;
        for (var hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(method, uri);
            foreach (var accept in request.Accept)
            {
                message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            }

            if (request.RangeFrom is { } from)
            {
                message.Headers.Range = new RangeHeaderValue(from, request.RangeTo);
            }

            foreach (var (name, value) in request.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            if (withBody && request.Content is not null)
            {
                message.Content = request.Content();
            }

            // Credentials go only to the registry's own scheme://host:port, never to a redirect target elsewhere.
            if (authorization is not null && endpoint.IsSameOrigin(uri))
            {
                message.Headers.Authorization = authorization;
            }

            var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            _logger.LogDebug("{Method} {Uri} -> {Status}", method, Redacted(uri), (int)response.StatusCode);
            if (hop > 0 && response.StatusCode == HttpStatusCode.Forbidden && !retriedExpiredRedirect && !endpoint.IsSameOrigin(uri))
            {
                // A signed storage URL can expire between redirect and request: ask the registry for a fresh one, once.
                response.Dispose();
                retriedExpiredRedirect = true;
                (uri, method, withBody, hop) = (start, request.Method, true, -1);
                continue;
            }

            if (!request.FollowRedirects || !IsRedirect(response.StatusCode) || response.Headers.Location is null)
            {
                return response;
            }

            if (hop >= MaxRedirects)
            {
                response.Dispose();
                throw new RegistryException($"{request.Operation}: more than {MaxRedirects} redirects, starting at {Redacted(start)}.");
            }

            var next = RedirectRules.Next(uri, response.Headers.Location, request.Operation);
            if (response.StatusCode == HttpStatusCode.SeeOther && method != HttpMethod.Head)
            {
                (method, withBody) = (HttpMethod.Get, false);
            }
            else if (response.StatusCode is HttpStatusCode.Moved or HttpStatusCode.Found && method == HttpMethod.Post)
            {
                (method, withBody) = (HttpMethod.Get, false);
            }

            response.Dispose();
            uri = next;
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static Uri Resolve(Uri baseUri, string target) =>
        Uri.TryCreate(target, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps)
            ? absolute
            : new Uri(baseUri, target);

    /// <summary>The URI without its query, which may hold signatures of storage redirects or upload state.</summary>
    internal static string Redacted(Uri uri) => uri.GetLeftPart(UriPartial.Path);
}
