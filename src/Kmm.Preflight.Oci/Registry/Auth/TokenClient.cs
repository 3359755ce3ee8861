using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Kmm.Preflight.Oci.Registry.Transport;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>
/// Gets bearer tokens from a realm: GET with Basic credentials (or anonymous), or with a refresh/identity token an
/// OAuth2 POST falling back to GET when the server answers 404.
/// </summary>
internal sealed class TokenClient(HttpClientPool clients, RequestResilience resilience, TlsPolicy tls, ILogger logger)
{
    private const string ClientId = "kmm-preflight";

    /// <summary>Fetches a token for <paramref name="scopes"/>.</summary>
    public async Task<TokenReply> FetchAsync(RegistryEndpoint endpoint, AuthChallenge challenge, IReadOnlyList<string> scopes, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        var realm = RealmPolicy.Validate(challenge.Realm, endpoint.BaseUri);
        if (credential is not null && !RealmPolicy.MaySendCredentials(realm, endpoint.BaseUri))
        {
            logger.LogWarning("Not sending credentials for {Registry} to token realm {Realm}: it is an internal address other than the registry's own host", endpoint.Registry, realm.Authority);
            credential = null;
        }

        var client = clients.For(endpoint.BaseUri.Authority);
        HttpResponseMessage? response = null;
        try
        {
            if (credential?.IdentityToken is { } refreshToken)
            {
                response = await SendAsync(client, () => PostRequest(realm, challenge.Service, scopes, refreshToken), realm, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    logger.LogDebug("Token realm {Realm} has no OAuth2 POST endpoint; falling back to GET", realm.Authority);
                    response.Dispose();
                    response = null;
                }
            }

            response ??= await SendAsync(client, () => GetRequest(realm, challenge.Service, scopes, credential), realm, cancellationToken);
            logger.LogDebug("{Method} {Realm} -> {Status}", response.RequestMessage?.Method, realm.GetLeftPart(UriPartial.Path), (int)response.StatusCode);
            if (!response.IsSuccessStatusCode)
            {
                var error = await RegistryErrorBody.CreateAsync(response, $"getting a token for {endpoint.Registry} from {realm.GetLeftPart(UriPartial.Path)}", cancellationToken);
                if (error is RegistryUnauthorizedException && credential is null)
                {
                    throw new RegistryUnauthorizedException($"{error.Message}; no credentials were found for {endpoint.Registry}", error.StatusCode, error.ErrorCodes);
                }

                throw error;
            }

            var body = await BoundedContent.ReadAsync(response.Content, TokenReply.MaxBytes, truncate: false, cancellationToken, $"token reply from {realm.Authority}");
            return TokenReply.Parse(body, realm.GetLeftPart(UriPartial.Path));
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, Func<HttpRequestMessage> create, Uri realm, CancellationToken cancellationToken)
    {
        try
        {
            return await resilience.ExecuteAsync(
                async token =>
                {
                    using var request = create();
                    return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                },
                retry: true,
                cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && TransportErrors.Translate(e, realm, "getting a registry token", tls, clients.ConnectTimeout) is { } translated)
        {
            throw translated;
        }
    }

    private static HttpRequestMessage GetRequest(Uri realm, string? service, IReadOnlyList<string> scopes, RegistryCredential? credential)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(service))
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        query.AddRange(scopes.Select(s => "scope=" + Uri.EscapeDataString(s)));
        var builder = new UriBuilder(realm);
        var existing = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', new[] { existing }.Where(q => q.Length > 0).Concat(query));
        var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (credential is { Username: { } user, Password: { } password })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return request;
    }

    private static HttpRequestMessage PostRequest(Uri realm, string? service, IReadOnlyList<string> scopes, string refreshToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
            new("client_id", ClientId),
            new("scope", string.Join(' ', scopes)),
        };
        if (!string.IsNullOrEmpty(service))
        {
            form.Add(new("service", service));
        }

        return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
    }
}
