using System.Net;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Oci.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kmm.Preflight.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>services.AddKmmPreflight(…)</c>: sets what configuration cannot bind, and connects the registry
/// client to <c>IHttpClientFactory</c>.
/// </summary>
public sealed class KmmPreflightBuilder
{
    /// <summary>The name of the <c>HttpClient</c> whose handlers the registry clients use after <see cref="UseHttpClientFactory"/>.</summary>
    /// <value><c>Kmm.Preflight.Registry</c>.</value>
    public const string RegistryHttpClientName = "Kmm.Preflight.Registry";

    internal KmmPreflightBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Changes the validator's options after they are made from <see cref="KmmPreflightSettings"/>: the members
    /// configuration cannot hold (<see cref="PreflightValidatorOptions.Pipeline"/>, <see cref="PreflightValidatorOptions.Progress"/>,
    /// an <see cref="PreflightValidatorOptions.ImageOpener"/>…). Applied in the order added; the options are validated
    /// when the validator is made, every problem listed.
    /// </summary>
    /// <param name="configure">Returns the options to use (<c>(options, services) =&gt; options with { … }</c>).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is null.</exception>
    public KmmPreflightBuilder Configure(Func<PreflightValidatorOptions, IServiceProvider, PreflightValidatorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton(new OptionsTransform<PreflightValidatorOptions>(configure));
        return this;
    }

    /// <summary>
    /// Changes the registry client options (of the validator and of the registered <see cref="RegistryClient"/>) after
    /// they are made from <see cref="KmmPreflightRegistrySettings"/>: a credential provider, per-host settings from
    /// elsewhere, a primary handler of your own (<see cref="RegistryClientOptions.InnerHandler"/>).
    /// </summary>
    /// <param name="configure">Returns the options to use.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is null.</exception>
    public KmmPreflightBuilder ConfigureRegistry(Func<RegistryClientOptions, IServiceProvider, RegistryClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton(new OptionsTransform<RegistryClientOptions>(configure));
        return this;
    }

    /// <summary>
    /// Sends every registry request through the handlers of the named <c>HttpClient</c>
    /// <see cref="RegistryHttpClientName"/>, so delegating handlers (telemetry, rate limits, resilience) and the primary
    /// handler come from <c>IHttpClientFactory</c>. The registry client keeps its own rules on top: it follows
    /// redirects itself (dropping <c>Authorization</c> on a redirect to another host), answers auth challenges, and
    /// retries (set <see cref="KmmPreflightRegistrySettings.MaxRetries"/> to 0 when a resilience handler retries).
    /// </summary>
    /// <remarks>
    /// The default primary handler is a <see cref="SocketsHttpHandler"/> that does not follow redirects or decompress,
    /// with <see cref="KmmPreflightRegistrySettings.ConnectTimeout"/>. A primary handler you configure must not follow
    /// redirects either (checked when the options are made), and owns TLS: <see cref="KmmPreflightRegistrySettings.CaFiles"/>
    /// and <see cref="KmmPreflightRegistryHostSettings.InsecureSkipTlsVerify"/> do not apply to it, so setting them is
    /// reported as an error; set its <c>SslOptions</c> instead.
    /// </remarks>
    /// <returns>The named client's builder: add handlers, or replace the primary handler.</returns>
    public IHttpClientBuilder UseHttpClientFactory()
    {
        Services.TryAddSingleton<RegistryHttpClientFactoryUse>();
        return Services.AddHttpClient(RegistryHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(services =>
            {
                var settings = services.GetRequiredService<IOptionsMonitor<KmmPreflightSettings>>().CurrentValue.Registry;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    AutomaticDecompression = DecompressionMethods.None,
                    ConnectTimeout = settings.ConnectTimeout,
                    // The handler lives as long as the options: reconnect now and then so DNS changes are seen.
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    UseCookies = false,
                };
            });
    }
}
