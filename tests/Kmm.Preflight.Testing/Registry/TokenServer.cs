using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Kmm.Preflight.Testing.Registry;

/// <summary>
/// A Docker token-auth server (the protocol of <c>auth.token</c> in the distribution registry) run in-process over
/// HTTPS: GET with Basic credentials, OAuth2 POST with <c>password</c> or <c>refresh_token</c> grants. Tokens are
/// RS256 JWTs with an <c>x5c</c> header chaining to the test CA.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly X509Certificate2 _signingCertificate;
    private readonly ConcurrentQueue<TokenRequestRecord> _requests = new();

    /// <summary>Starts the server.</summary>
    /// <param name="ca">The CA that issues the server and signing certificates.</param>
    /// <param name="username">The one user.</param>
    /// <param name="password">The user's password.</param>
    public TokenServer(TestCertificateAuthority ca, string username, string password)
    {
        ArgumentNullException.ThrowIfNull(ca);
        Username = username;
        Password = password;
        RefreshToken = "refresh-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _signingCertificate = ca.IssueSigningCertificate();
        _server = new LoopbackHttpServer(HandleAsync, ca.IssueServerCertificate());
    }

    /// <summary>The service name the registry and the tokens use.</summary>
    public string Service { get; } = "kmm-test-registry";

    /// <summary>The issuer the registry trusts.</summary>
    public string Issuer { get; } = "kmm-test-token-issuer";

    /// <summary>The realm URL, <c>https://127.0.0.1:PORT/token</c>.</summary>
    public Uri Realm => new(_server.BaseUri, "/token");

    /// <summary>The user name accepted.</summary>
    public string Username { get; }

    /// <summary>The password accepted.</summary>
    public string Password { get; }

    /// <summary>A refresh (identity) token accepted for <see cref="Username"/>.</summary>
    public string RefreshToken { get; }

    /// <summary>Lifetime given to tokens.</summary>
    /// <value>Default 300 seconds.</value>
    public int ExpiresInSeconds { get; set; } = 300;

    /// <summary>Whether anonymous callers get pull access (they get nothing by default).</summary>
    public bool AllowAnonymousPull { get; set; }

    /// <summary>Whether the OAuth2 POST endpoint answers 404 (to exercise the GET fallback).</summary>
    public bool RejectPost { get; set; }

    /// <summary>Every request received, oldest first.</summary>
    public IReadOnlyList<TokenRequestRecord> Requests => [.. _requests];

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _signingCertificate.Dispose();
    }

    private Task<LoopbackHttpResponse> HandleAsync(LoopbackHttpRequest request)
    {
        if (request.Path != "/token")
        {
            return Task.FromResult(LoopbackHttpResponse.Json(404, "{\"details\":\"not found\"}"));
        }

        var parameters = request.Query.ToList();
        string? subject = null;
        string? grantType = null;
        var authenticated = false;
        var refused = false;
        if (request.Method == "POST")
        {
            if (RejectPost)
            {
                return Task.FromResult(Record(request.Method, [], null, null, LoopbackHttpResponse.Json(404, "{\"details\":\"no POST here\"}")));
            }

            parameters.AddRange(LoopbackHttpRequest.ParseForm(Encoding.UTF8.GetString(request.Body)));
            grantType = Get(parameters, "grant_type");
            (authenticated, refused, subject) = grantType switch
            {
                "password" => Check(Get(parameters, "username"), Get(parameters, "password")),
                "refresh_token" => Get(parameters, "refresh_token") == RefreshToken ? (true, false, Username) : (false, true, null),
                _ => (false, true, null),
            };
        }
        else if (request.Headers.TryGetValue("Authorization", out var authorization))
        {
            if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                refused = true;
            }
            else
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim())).Split(':', 2);
                (authenticated, refused, subject) = Check(pair[0], pair.Length > 1 ? pair[1] : string.Empty);
            }
        }

        var scopes = parameters.Where(p => p.Key == "scope").SelectMany(p => p.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (refused)
        {
            return Task.FromResult(Record(request.Method, scopes, null, grantType, LoopbackHttpResponse.Json(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"invalid credentials\"}]}")));
        }

        var service = Get(parameters, "service") ?? Service;
        var token = CreateToken(service, authenticated ? subject : null, scopes.Select(s => Grant(s, authenticated)).Where(a => a is not null).ToList()!);
        var reply = new Dictionary<string, object>
        {
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = ExpiresInSeconds,
            ["issued_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (authenticated && (grantType == "password" || Get(parameters, "offline_token") == "true"))
        {
            reply["refresh_token"] = RefreshToken;
        }

        return Task.FromResult(Record(request.Method, scopes, subject, grantType, LoopbackHttpResponse.Json(200, JsonSerializer.Serialize(reply))));
    }

    private LoopbackHttpResponse Record(string method, IReadOnlyList<string> scopes, string? subject, string? grantType, LoopbackHttpResponse response)
    {
        _requests.Enqueue(new TokenRequestRecord(method, scopes, subject, grantType, response.Status));
        return response;
    }

    private (bool Authenticated, bool Refused, string? Subject) Check(string? username, string? password) =>
        username == Username && password == Password ? (true, false, username) : (false, true, null);

    private static string? Get(List<KeyValuePair<string, string>> parameters, string name) =>
        parameters.Where(p => p.Key == name).Select(p => p.Value).FirstOrDefault();

    private Dictionary<string, object>? Grant(string scope, bool authenticated)
    {
        // scope = type:name:actions, where name may contain ':' (host:port is not part of it, but be lenient).
        var first = scope.IndexOf(':', StringComparison.Ordinal);
        var last = scope.LastIndexOf(':');
        if (first < 0 || last <= first)
        {
            return null;
        }

        var requested = scope[(last + 1)..].Split(',');
        var allowed = authenticated ? requested : AllowAnonymousPull ? requested.Where(a => a == "pull").ToArray() : [];
        return new Dictionary<string, object> { ["type"] = scope[..first], ["name"] = scope[(first + 1)..last], ["actions"] = allowed };
    }

    private string CreateToken(string audience, string? subject, IReadOnlyList<Dictionary<string, object>> access)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new Dictionary<string, object>
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new[] { Convert.ToBase64String(_signingCertificate.RawData) },
        };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = subject ?? string.Empty,
            ["aud"] = audience,
            ["exp"] = now + ExpiresInSeconds,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            ["access"] = access,
        };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        using var key = _signingCertificate.GetRSAPrivateKey()!;
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
