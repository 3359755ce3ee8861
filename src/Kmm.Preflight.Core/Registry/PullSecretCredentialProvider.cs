using System.Text;
using System.Text.Json;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Core.Registry;

/// <summary>
/// Credentials from a pull Secret: <c>kubernetes.io/dockerconfigjson</c> (<c>.dockerconfigjson</c>, an
/// <c>auths</c> map) or <c>kubernetes.io/dockercfg</c> (<c>.dockercfg</c>, the map itself). Registry keys may
/// carry a scheme and path (<c>https://index.docker.io/v1/</c>); they are matched by host[:port].
/// </summary>
public sealed class PullSecretCredentialProvider : ICredentialProvider
{
    private readonly Dictionary<string, RegistryCredential> _byRegistry;

    private PullSecretCredentialProvider(Dictionary<string, RegistryCredential> byRegistry)
    {
        _byRegistry = byRegistry;
    }

    /// <summary>The registries the secret has credentials for.</summary>
    public IReadOnlyCollection<string> Registries => _byRegistry.Keys;

    /// <summary>Reads the Secret's docker config.</summary>
    /// <exception cref="InvalidDataException">The Secret has neither key, or its JSON is malformed (the message never shows secret values).</exception>
    public static PullSecretCredentialProvider FromSecret(Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Data.TryGetValue(".dockerconfigjson", out var json))
        {
            return Parse(json, $"Secret {secret.Namespace}/{secret.Name} key .dockerconfigjson", wrapped: true);
        }

        if (secret.Data.TryGetValue(".dockercfg", out var cfg))
        {
            return Parse(cfg, $"Secret {secret.Namespace}/{secret.Name} key .dockercfg", wrapped: false);
        }

        throw new InvalidDataException($"Secret {secret.Namespace}/{secret.Name} (type {secret.Type}) has neither .dockerconfigjson nor .dockercfg: it is not a pull secret");
    }

    /// <summary>Reads docker config JSON; <paramref name="wrapped"/> means the entries sit under <c>auths</c>.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed.</exception>
    public static PullSecretCredentialProvider Parse(byte[] json, string source, bool wrapped)
    {
        ArgumentNullException.ThrowIfNull(json);
        var result = new Dictionary<string, RegistryCredential>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var document = JsonDocument.Parse(json);
            var auths = document.RootElement;
            if (wrapped && !auths.TryGetProperty("auths", out auths))
            {
                return new PullSecretCredentialProvider(result);
            }

            if (auths.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source}: the registry map must be a JSON object");
            }

            foreach (var entry in auths.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.Object)
                {
                    result[NormaliseRegistry(entry.Name)] = ReadEntry(entry.Value, source, entry.Name);
                }
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: invalid JSON at line {ex.LineNumber + 1}", ex);
        }

        return new PullSecretCredentialProvider(result);
    }

    /// <inheritdoc />
    public Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return Task.FromResult(_byRegistry.GetValueOrDefault(NormaliseRegistry(registry)));
    }

    /// <summary>Reduces a docker config key to host[:port], <c>docker.io</c> for Docker Hub's names.</summary>
    public static string NormaliseRegistry(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var host = key;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            host = host[..slash];
        }

        host = host.ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? "docker.io" : host;
    }

    private static RegistryCredential ReadEntry(JsonElement entry, string source, string registry)
    {
        string? Get(string name) => entry.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var username = Get("username");
        var password = Get("password");
        var auth = Get("auth");
        if (!string.IsNullOrEmpty(auth))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"{source}: the auth of registry {registry} is not valid base64");
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new InvalidDataException($"{source}: the auth of registry {registry} is not user:password");
            }

            username = decoded[..colon];
            password = decoded[(colon + 1)..];
        }

        var identity = Get("identitytoken");
        if (username == "<token>")
        {
            identity ??= password;
        }

        return new RegistryCredential { Username = username, Password = password, IdentityToken = string.IsNullOrEmpty(identity) ? null : identity };
    }
}
