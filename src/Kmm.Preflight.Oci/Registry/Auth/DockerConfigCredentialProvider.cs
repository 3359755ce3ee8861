using System.Text;
using System.Text.Json;

namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>
/// Credentials from a Docker <c>config.json</c>, a containers <c>auth.json</c>, a legacy <c>.dockercfg</c>, or a
/// Kubernetes pull Secret's data: <c>auths</c> entries (<c>auth</c> or <c>username</c>/<c>password</c>,
/// <c>identitytoken</c>), <c>credHelpers</c> and <c>credsStore</c> (run as <c>docker-credential-NAME get</c>).
/// </summary>
public sealed class DockerConfigCredentialProvider : ICredentialProvider
{
    /// <summary>The largest auth file read, 4 MiB.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    private readonly Dictionary<string, RegistryCredential> _auths;
    private readonly Dictionary<string, string> _helpers;
    private readonly string? _store;

    private DockerConfigCredentialProvider(string source, Dictionary<string, RegistryCredential> auths, Dictionary<string, string> helpers, string? store)
    {
        Source = source;
        _auths = auths;
        _helpers = helpers;
        _store = store;
    }

    /// <summary>Where the credentials came from (a path or a Secret name), for messages.</summary>
    public string Source { get; }

    /// <summary>The registries with an <c>auths</c> entry or a credential helper, normalised to <c>host[:port]</c>.</summary>
    public IReadOnlyCollection<string> Registries => _auths.Keys.Concat(_helpers.Keys).Distinct().ToList();

    /// <summary>Reads an auth file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">It is not a valid auth file; the message names the file and the entry.</exception>
    public static DockerConfigCredentialProvider FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"auth file '{path}' does not exist.", path);
        }

        if (new FileInfo(path).Length > MaxFileBytes)
        {
            throw new InvalidDataException($"auth file '{path}' is larger than {MaxFileBytes} bytes.");
        }

        return FromJson(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// Parses auth JSON: a Docker/containers config (<c>{"auths":{…}}</c>, e.g. a Secret's <c>.dockerconfigjson</c>)
    /// or the legacy map of registries (a Secret's <c>.dockercfg</c>).
    /// </summary>
    /// <exception cref="InvalidDataException">The JSON is malformed; the message names <paramref name="sourceName"/> and the entry.</exception>
    public static DockerConfigCredentialProvider FromJson(ReadOnlySpan<byte> json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{sourceName}: auth configuration is not a JSON object.");
            }

            var isConfig = root.TryGetProperty("auths", out var auths) | root.TryGetProperty("credHelpers", out var helpers) | root.TryGetProperty("credsStore", out var store);
            var entries = isConfig ? auths : root;
            var credentials = new Dictionary<string, RegistryCredential>(StringComparer.OrdinalIgnoreCase);
            if (entries.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in entries.EnumerateObject())
                {
                    if (ReadEntry(entry, sourceName) is { } credential)
                    {
                        credentials.TryAdd(RegistryKey.Normalise(entry.Name), credential);
                    }
                }
            }

            var helperMap = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (helpers.ValueKind == JsonValueKind.Object)
            {
                foreach (var helper in helpers.EnumerateObject().Where(h => h.Value.ValueKind == JsonValueKind.String))
                {
                    helperMap.TryAdd(RegistryKey.Normalise(helper.Name), helper.Value.GetString()!);
                }
            }

            var storeName = store.ValueKind == JsonValueKind.String && store.GetString() is { Length: > 0 } s ? s : null;
            return new DockerConfigCredentialProvider(sourceName, credentials, helperMap, storeName);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: auth configuration is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Reads a Kubernetes pull Secret's data (values already base64-decoded, as the API's <c>data</c> after decoding):
    /// type <c>kubernetes.io/dockerconfigjson</c> (key <c>.dockerconfigjson</c>) or <c>kubernetes.io/dockercfg</c> (key <c>.dockercfg</c>).
    /// </summary>
    /// <exception cref="InvalidDataException">The type is not a pull-secret type, the key is missing, or the JSON is malformed.</exception>
    public static DockerConfigCredentialProvider FromKubernetesSecret(string secretName, string? secretType, IReadOnlyDictionary<string, byte[]> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var key = secretType switch
        {
            "kubernetes.io/dockerconfigjson" => ".dockerconfigjson",
            "kubernetes.io/dockercfg" => ".dockercfg",
            _ => data.ContainsKey(".dockerconfigjson") ? ".dockerconfigjson" : data.ContainsKey(".dockercfg") ? ".dockercfg"
                : throw new InvalidDataException($"Secret {secretName} of type '{secretType}' is not a pull secret: expected type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg."),
        };
        if (!data.TryGetValue(key, out var json))
        {
            throw new InvalidDataException($"Secret {secretName} of type {secretType} has no '{key}' key.");
        }

        return FromJson(json, $"Secret {secretName} ({key})");
    }

    /// <inheritdoc />
    public async Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken = default)
    {
        var key = RegistryKey.Normalise(registry);
        if (_helpers.TryGetValue(key, out var helper))
        {
            return await CredentialHelper.GetAsync(helper, key, cancellationToken);
        }

        if (_auths.TryGetValue(key, out var credential))
        {
            return credential;
        }

        return _store is null ? null : await CredentialHelper.GetAsync(_store, key, cancellationToken);
    }

    private static RegistryCredential? ReadEntry(JsonProperty entry, string sourceName)
    {
        if (entry.Value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{sourceName}: entry '{entry.Name}' is not an object.");
        }

        string? Get(string name) => entry.Value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
        var username = Get("username");
        var password = Get("password");
        if (Get("auth") is { } auth)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{sourceName}: 'auth' of entry '{entry.Name}' is not base64.", e);
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new InvalidDataException($"{sourceName}: 'auth' of entry '{entry.Name}' does not decode to 'user:password'.");
            }

            (username, password) = (decoded[..colon], decoded[(colon + 1)..]);
        }

        var identityToken = Get("identitytoken");
        if (username == "<token>")
        {
            (identityToken, username, password) = (password, null, null);
        }

        return username is null && password is null && identityToken is null
            ? null
            : new RegistryCredential { Username = username, Password = password, IdentityToken = identityToken };
    }
}
