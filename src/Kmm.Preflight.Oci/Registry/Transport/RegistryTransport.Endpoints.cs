using System.Collections.Concurrent;
using System.Net;
using Kmm.Preflight.Oci.Registry.Auth;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.Registry.Transport;

/// <content>Finding how to reach a registry: ping <c>/v2/</c> over HTTPS, or plain HTTP when allowed.</content>
internal sealed partial class RegistryTransport
{
    private readonly ConcurrentDictionary<string, Lazy<Task<RegistryEndpoint>>> _endpoints = new(StringComparer.OrdinalIgnoreCase);

    private async Task<RegistryEndpoint> GetEndpointAsync(string registry, string apiHost, string operation, CancellationToken cancellationToken)
    {
        var lazy = _endpoints.GetOrAdd(apiHost, _ => new Lazy<Task<RegistryEndpoint>>(() => PingAsync(registry, apiHost, operation, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Do not remember a failure: the next call pings again.
            _endpoints.TryRemove(new KeyValuePair<string, Lazy<Task<RegistryEndpoint>>>(apiHost, lazy));
            throw;
        }
    }

    private async Task<RegistryEndpoint> PingAsync(string registry, string apiHost, string operation, CancellationToken cancellationToken)
    {
        var settings = _clients.SettingsFor(apiHost);
        var https = new RegistryEndpoint(registry, new Uri($"https://{apiHost}"));
        var http = new RegistryEndpoint(registry, new Uri($"http://{apiHost}"));
        if (settings.Insecure)
        {
            return await PingEndpointAsync(http, operation, cancellationToken);
        }

        try
        {
            return await PingEndpointAsync(https, operation, cancellationToken);
        }
        catch (RegistryException httpsFailure) when (httpsFailure.StatusCode is null && TransportErrors.IsTlsFailure(httpsFailure) && _options.AllowLoopbackPlainHttp && RealmPolicy.IsLoopback(https.BaseUri.IdnHost))
        {
            // Docker treats loopback registries as insecure: try plain HTTP, but keep the HTTPS error if that fails too.
            // Only after a failed handshake: a host that timed out or refused will not do better in plain HTTP.
            try
            {
                var endpoint = await PingEndpointAsync(http, operation, cancellationToken);
                _logger.LogDebug("Registry {Host} is on loopback and speaks plain HTTP", apiHost);
                return endpoint;
            }
            catch (RegistryException)
            {
                throw httpsFailure;
            }
        }
    }

    private async Task<RegistryEndpoint> PingEndpointAsync(RegistryEndpoint endpoint, string operation, CancellationToken cancellationToken)
    {
        var client = _clients.For(endpoint.BaseUri.Authority);
        var uri = new Uri(endpoint.BaseUri, "/v2/");
        HttpResponseMessage response;
        try
        {
            response = await _resilience.ExecuteAsync(
                async token =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                    return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                },
                retry: true,
                cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && TransportErrors.Translate(e, endpoint.BaseUri, operation, _tls, _options.ConnectTimeout) is { } translated)
        {
            throw translated;
        }

        using (response)
        {
            _logger.LogDebug("GET {Uri} -> {Status}", uri, (int)response.StatusCode);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                _authenticator.Remember(endpoint, AuthChallenge.Parse(response.Headers.WwwAuthenticate.Select(h => h.ToString())));
                return endpoint;
            }

            if (response.IsSuccessStatusCode || response.Headers.Contains("Docker-Distribution-API-Version"))
            {
                return endpoint;
            }

            throw new RegistryException(
                $"{operation}: {endpoint.BaseUri.Authority} does not look like a registry: GET /v2/ answered {(int)response.StatusCode} {response.StatusCode}.",
                response.StatusCode,
                []);
        }
    }
}
