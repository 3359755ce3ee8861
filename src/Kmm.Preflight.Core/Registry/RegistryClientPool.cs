using System.Collections.Concurrent;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Registry;

/// <summary>
/// One <see cref="RegistryClient"/> per distinct combination of credentials (a Module's pull secret, then the
/// default ones) and TLS settings of the image's host, so modules sharing both share connections and tokens.
/// Internal: embedders give <see cref="Images.ImageOpener"/> and <see cref="Images.RegistryImagePublisher"/> the
/// <see cref="RegistryClientOptions"/> and each keeps its own pool; <see cref="Running.PreflightValidator"/> shares one.
/// </summary>
internal sealed class RegistryClientPool : IDisposable
{
    private readonly RegistryClientOptions _baseOptions;
    private readonly ILogger? _logger;
    private readonly ConcurrentDictionary<string, Lazy<RegistryClient>> _clients = new(StringComparer.Ordinal);

    /// <summary>Creates a pool; <paramref name="baseOptions"/> carries the default credentials, hosts and CAs.</summary>
    public RegistryClientPool(RegistryClientOptions? baseOptions = null, ILogger? logger = null)
    {
        _baseOptions = baseOptions ?? new RegistryClientOptions();
        _logger = logger;
    }

    /// <summary>How many distinct clients have been created.</summary>
    public int Count => _clients.Count;

    /// <summary>The client for <paramref name="reference"/> with <paramref name="tls"/> and extra <paramref name="credentials"/> (identified by <paramref name="credentialsKey"/>).</summary>
    public RegistryClient Get(ImageReference reference, RegistryTls? tls, ICredentialProvider? credentials, string? credentialsKey)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var host = reference.ApiHost;
        var key = $"{credentialsKey ?? "-"}|{(tls is null ? "-" : $"{host}:{tls.Insecure}:{tls.InsecureSkipTlsVerify}")}";
        return _clients.GetOrAdd(key, _ => new Lazy<RegistryClient>(() => Create(host, tls, credentials))).Value;
    }

    private RegistryClient Create(string host, RegistryTls? tls, ICredentialProvider? credentials)
    {
        var options = _baseOptions;
        if (credentials is not null)
        {
            options = options with
            {
                Credentials = _baseOptions.Credentials is null ? credentials : new ChainedCredentialProvider([credentials, _baseOptions.Credentials]),
            };
        }

        if (tls is not null && (tls.Insecure || tls.InsecureSkipTlsVerify))
        {
            var hosts = new Dictionary<string, RegistryHostSettings>(_baseOptions.Hosts, StringComparer.OrdinalIgnoreCase)
            {
                [host] = new RegistryHostSettings(tls.Insecure, tls.InsecureSkipTlsVerify),
            };
            options = options with { Hosts = hosts };
        }

        return new RegistryClient(options, _logger);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }

        _clients.Clear();
    }
}
