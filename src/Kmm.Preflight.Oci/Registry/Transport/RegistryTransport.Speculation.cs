using System.Net;

namespace Kmm.Preflight.Oci.Registry.Transport;

/// <content>
/// The first read from a registry goes out alongside the <c>/v2/</c> ping instead of after it: one round trip less
/// before the first manifest, which is most of a small lookup's wait on a distant registry.
/// </content>
internal sealed partial class RegistryTransport
{
    /// <summary>
    /// Sends <paramref name="request"/> (a GET or HEAD without a body) to the endpoint the ping will most likely
    /// confirm, plain HTTP when the host is configured insecure and HTTPS otherwise, while the ping runs. The answer is
    /// kept when the ping confirms that endpoint (but see <see cref="AskAgainWithCredentials"/>); when the ping finds
    /// another (the loopback plain-HTTP fallback) the request is sent again there, and when the ping fails its error is
    /// the one reported, as without speculation.
    /// </summary>
    /// <remarks>
    /// Nothing is sent that the ping would have withheld: the request carries no credentials before a challenge (a 401
    /// is answered by the usual re-authentication), and goes to the registry's own host.
    /// </remarks>
    private async Task<HttpResponseMessage> SendAlongsidePingAsync(string registry, string apiHost, Task<RegistryEndpoint> ping, RegistryRequest request, CancellationToken cancellationToken)
    {
        var scheme = _clients.SettingsFor(apiHost).Insecure ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        var predicted = new RegistryEndpoint(registry, new Uri($"{scheme}://{apiHost}"));
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
