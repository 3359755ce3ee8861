using System.Collections.Concurrent;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kmm.Preflight.Extensions.DependencyInjection;

/// <summary>
/// Makes <see cref="RegistryClientOptions"/> (an immutable record, so not configurable in place as options usually
/// are) from the bound <see cref="KmmPreflightRegistrySettings"/>, the <c>IHttpClientFactory</c> handler when asked
/// for, then the <see cref="KmmPreflightBuilder.ConfigureRegistry"/> transforms; all problems reported together.
/// </summary>
internal sealed class RegistryClientOptionsFactory(
    IOptionsMonitor<KmmPreflightSettings> settings,
    IEnumerable<OptionsTransform<RegistryClientOptions>> transforms,
    IServiceProvider services) : IOptionsFactory<RegistryClientOptions>
{
    // Made once per name, so the validator, the registered RegistryClient and IOptions/IOptionsMonitor all share one
    // instance (and one IHttpClientFactory handler).
    private readonly ConcurrentDictionary<string, Lazy<RegistryClientOptions>> _made = new(StringComparer.Ordinal);

    public RegistryClientOptions Create(string name) =>
        _made.GetOrAdd(name, n => new Lazy<RegistryClientOptions>(() => Make(n))).Value;

    private RegistryClientOptions Make(string name)
    {
        var registry = settings.Get(name).Registry;
        var errors = new List<string>();
        var options = new RegistryClientOptions
        {
            Credentials = registry.UseAuthFiles ? AuthFileDiscovery.CreateProvider(registry.AuthFile) : null,
            Hosts = Hosts(registry.Hosts, errors),
            CaFiles = [.. registry.CaFiles],
            AllowLoopbackPlainHttp = registry.AllowLoopbackPlainHttp,
            MaxRetries = registry.MaxRetries,
            ConnectTimeout = registry.ConnectTimeout,
            AttemptTimeout = registry.AttemptTimeout,
            OverallTimeout = registry.OverallTimeout,
            RetryBaseDelay = registry.RetryBaseDelay,
            UserAgent = registry.UserAgent,
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
            InnerHandler = services.GetService<RegistryHttpClientFactoryUse>() is null
                ? null
                : services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(KmmPreflightBuilder.RegistryHttpClientName),
        };

        foreach (var transform in transforms)
        {
            options = transform.Apply(options, services)
                ?? throw new InvalidOperationException("A KmmPreflightBuilder.ConfigureRegistry callback returned null; return the options to use.");
        }

        errors.AddRange(Check(options));
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(name, typeof(RegistryClientOptions), errors);
        }

        return options;
    }

    private static Dictionary<string, RegistryHostSettings> Hosts(List<KmmPreflightRegistryHostSettings> hosts, List<string> errors)
    {
        var result = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < hosts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(hosts[i].Host))
            {
                errors.Add($"Registry:Hosts:{i} has no Host (host[:port])");
            }
            else if (!result.TryAdd(hosts[i].Host, new RegistryHostSettings(hosts[i].Insecure, hosts[i].InsecureSkipTlsVerify)))
            {
                errors.Add($"Registry:Hosts names {hosts[i].Host} twice");
            }
        }

        return result;
    }

    private static List<string> Check(RegistryClientOptions options)
    {
        var errors = new List<string>();
        if (options.InnerHandler is not { } handler)
        {
            return errors;
        }

        while (handler is DelegatingHandler { InnerHandler: { } inner })
        {
            handler = inner;
        }

        if (handler is SocketsHttpHandler { AllowAutoRedirect: true } or HttpClientHandler { AllowAutoRedirect: true })
        {
            errors.Add($"the registry's primary HTTP handler ({handler.GetType().Name}) follows redirects: set AllowAutoRedirect = false "
                + "(the registry client follows redirects itself, to keep credentials from other hosts)");
        }

        if (options.CaFiles.Count > 0)
        {
            errors.Add($"CaFiles ({string.Join(", ", options.CaFiles)}) do not apply to an HTTP handler of your own or from IHttpClientFactory: "
                + "trust the CAs in its SslOptions instead");
        }

        foreach (var (host, _) in options.Hosts.Where(p => p.Value.InsecureSkipTlsVerify))
        {
            errors.Add($"InsecureSkipTlsVerify for {host} does not apply to an HTTP handler of your own or from IHttpClientFactory: "
                + "set its SslOptions instead");
        }

        return errors;
    }
}
