using System.Net;
using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Oci.Registry.Transport;

/// <content>
/// The first read from a registry goes out before the <c>/v2/</c> ping, to the endpoint the ping would most likely
/// confirm. An answer only a registry gives settles the endpoint, and no ping is sent at all: one request fewer, and
/// no round trip before the first manifest, which is most of a small lookup's wait on a distant registry. Any other
/// answer leaves the decision to the ping, as if it had gone first.
/// </content>
internal sealed partial class RegistryTransport
{
    /// <summary>
    /// Sends <paramref name="request"/> (a GET or HEAD without a body) to the predicted endpoint with no ping sent yet.
    /// A success that only a registry gives (see <see cref="IsRegistryAnswer"/>) is kept and settles the endpoint.
    /// Otherwise the ping decides, as when it went first: its error is the one reported, an answer from an endpoint it
    /// did not confirm is sent again to the one it did, and an uncredentialed refusal is asked again with credentials
    /// when the ping finds a challenge.
    /// </summary>
    /// <remarks>
    /// Nothing is sent that the ping would have withheld: the request carries no credentials before a challenge (a 401
    /// is answered by the usual re-authentication, from the challenge in that 401), and goes to the registry's own
    /// host. A failed request is not followed by a ping, which would only fail the same way after as long a wait, except
    /// after a failed TLS handshake with a loopback registry: the ping then finds whether it speaks plain HTTP.
    /// </remarks>
    private async Task<HttpResponseMessage> SendBeforePingAsync(string registry, string apiHost, RegistryRequest request, CancellationToken cancellationToken)
    {
        var predicted = Predicted(registry, apiHost);
        HttpResponseMessage response;
        try
        {
            response = await SendToAsync(predicted, request, cancellationToken);
        }
        catch (RegistryException failure) when (!cancellationToken.IsCancellationRequested && MayBePlainHttp(predicted, failure))
        {
            var endpoint = await GetEndpointAsync(registry, apiHost, request.Operation, cancellationToken);
            if (endpoint.BaseUri == predicted.BaseUri)
            {
                throw;
            }

            return await SendToAsync(endpoint, request, cancellationToken);
        }

        if (IsRegistryAnswer(predicted, response))
        {
            _endpoints.TryAdd(apiHost, new Lazy<Task<RegistryEndpoint>>(() => Task.FromResult(predicted)));
            return response;
        }

        RegistryEndpoint confirmed;
        try
        {
            confirmed = await GetEndpointAsync(registry, apiHost, request.Operation, cancellationToken);
        }
        catch (Exception)
        {
            response.Dispose();
            throw;
        }

        if (confirmed.BaseUri == predicted.BaseUri && !AskAgainWithCredentials(confirmed, response))
        {
            return response;
        }

        response.Dispose();
        return await SendToAsync(confirmed, request, cancellationToken);
    }

    // A success from the registry's own origin that a web server answering every path would not give: the distribution
    // API's version header, or an image media type. Anything else (an HTML page, a storage host's blob) is left to the
    // ping, which tells a registry from another server.
    private static bool IsRegistryAnswer(RegistryEndpoint endpoint, HttpResponseMessage response) =>
        response.IsSuccessStatusCode
        && response.RequestMessage?.RequestUri is { } answered && endpoint.IsSameOrigin(answered)
        && (response.Headers.Contains("Docker-Distribution-API-Version")
            || response.Content.Headers.ContentType?.MediaType is { } type
                && (type.StartsWith("application/vnd.oci.", StringComparison.OrdinalIgnoreCase) || type.StartsWith("application/vnd.docker.", StringComparison.OrdinalIgnoreCase)));

    // Docker treats loopback registries as insecure: after a failed handshake the ping tries plain HTTP (see PingAsync).
    private bool MayBePlainHttp(RegistryEndpoint predicted, RegistryException failure) =>
        failure.StatusCode is null && TransportErrors.IsTlsFailure(failure) && _options.AllowLoopbackPlainHttp
        && predicted.BaseUri.Scheme == Uri.UriSchemeHttps && RealmPolicy.IsLoopback(predicted.BaseUri.IdnHost);

    // Plain HTTP when the host is configured insecure, HTTPS otherwise: what the ping confirms unless it falls back.
    private RegistryEndpoint Predicted(string registry, string apiHost)
    {
        var scheme = _clients.SettingsFor(apiHost).Insecure ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        return new RegistryEndpoint(registry, new Uri($"{scheme}://{apiHost}"));
    }

    /// <summary>
    /// Sends <paramref name="request"/> (a GET or HEAD without a body) to the predicted endpoint while a ping another
    /// request started runs. The answer is kept when the ping confirms that endpoint (but see
    /// <see cref="AskAgainWithCredentials"/>); when the ping finds another (the loopback plain-HTTP fallback) the request
    /// is sent again there, and when the ping fails its error is the one reported, as without speculation.
    /// </summary>
    /// <remarks>As before the ping, nothing is sent that the ping would have withheld.</remarks>
    private async Task<HttpResponseMessage> SendAlongsidePingAsync(string registry, string apiHost, Task<RegistryEndpoint> ping, RegistryRequest request, CancellationToken cancellationToken)
    {
        var predicted = Predicted(registry, apiHost);
        using var speculation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var speculative = SendToAsync(predicted, request, speculation.Token);
        RegistryEndpoint endpoint;
        try
        {
            endpoint = await ping;
        }
        catch (Exception)
        {
            await speculation.CancelAsync();
            Discard(speculative);
            throw;
        }

        if (endpoint.BaseUri == predicted.BaseUri)
        {
            var response = await speculative;
            if (!AskAgainWithCredentials(endpoint, response))
            {
                return response;
            }

            response.Dispose();
            return await SendToAsync(endpoint, request, cancellationToken);
        }

        await speculation.CancelAsync();
        Discard(speculative);
        return await SendToAsync(endpoint, request, cancellationToken);
    }

    // The early request went out before the ping's challenge was known, so without credentials. Some registries answer
    // an anonymous request for a private repository 404 or 403, not 401 (Artifactory's "hide existence of unauthorized
    // resources"): when the ping did find a challenge and the registry itself (not a storage host it redirected to)
    // refused an uncredentialed request so, it is asked again with credentials, as it would have been. Anything else,
    // failures after their retries included, is the answer: sending again would only repeat them.
    private bool AskAgainWithCredentials(RegistryEndpoint endpoint, HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound
        && _authenticator.HasChallenge(endpoint)
        && response.RequestMessage is { RequestUri: { } answered } sent
        && endpoint.IsSameOrigin(answered)
        && sent.Headers.Authorization is null;

    // Lets an unwanted speculative request finish in the background: its response is disposed, its failure ignored.
    private static void Discard(Task<HttpResponseMessage> speculative) =>
        _ = speculative.ContinueWith(
            static t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    t.Result.Dispose();
                }
                else
                {
                    _ = t.Exception;
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}
