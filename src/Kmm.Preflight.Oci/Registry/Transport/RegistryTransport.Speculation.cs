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
    /// kept only when the ping confirms that endpoint; when it finds another (the loopback plain-HTTP fallback) the
    /// request is sent again there, and when it fails its error is the one reported, as without speculation.
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
            return await speculative;
        }

        await speculation.CancelAsync();
        Discard(speculative);
        return await SendToAsync(endpoint, request, cancellationToken);
    }

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
