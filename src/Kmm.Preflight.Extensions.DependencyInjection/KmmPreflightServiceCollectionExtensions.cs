using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Extensions.DependencyInjection;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// In the namespace of IServiceCollection, as every Microsoft.Extensions package and Polly's do, so `services.Add…`
// is found without another using (the one exception to namespace = folder).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Kmm.Preflight in a service collection.</summary>
public static class KmmPreflightServiceCollectionExtensions
{
    /// <summary>
    /// Registers, as singletons: <see cref="PreflightValidator"/>, <see cref="RegistryClient"/> and
    /// <see cref="ImageSourceFactory"/>; <c>IOptions&lt;PreflightValidatorOptions&gt;</c> and
    /// <c>IOptions&lt;RegistryClientOptions&gt;</c>, made from <see cref="KmmPreflightSettings"/> (configure those as any
    /// options: <c>services.Configure&lt;KmmPreflightSettings&gt;(…)</c>). Loggers come from the container's
    /// <see cref="ILoggerFactory"/> when there is one (categories: the full names of <see cref="PreflightValidator"/>
    /// and <see cref="RegistryClient"/>), the clock from its <see cref="TimeProvider"/>. Calling it again adds nothing
    /// twice.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for what configuration cannot bind, and for <c>IHttpClientFactory</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static KmmPreflightBuilder AddKmmPreflight(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddSingleton<IOptionsFactory<RegistryClientOptions>, RegistryClientOptionsFactory>();
        services.TryAddSingleton<IOptionsFactory<PreflightValidatorOptions>, PreflightValidatorOptionsFactory>();
        services.TryAddSingleton(s => new PreflightValidator(s.GetRequiredService<IOptions<PreflightValidatorOptions>>().Value));
        services.TryAddSingleton(s => new RegistryClient(
            s.GetRequiredService<IOptions<RegistryClientOptions>>().Value,
            s.GetService<ILoggerFactory>()?.CreateLogger<RegistryClient>()));
        services.TryAddSingleton(s => new ImageSourceFactory(s.GetRequiredService<RegistryClient>()));
        return new KmmPreflightBuilder(services);
    }

    /// <summary>
    /// As <see cref="AddKmmPreflight(IServiceCollection)"/>, with <see cref="KmmPreflightSettings"/> bound from
    /// <paramref name="configuration"/> (e.g. <c>configuration.GetSection("KmmPreflight")</c>): <c>Platform</c>,
    /// <c>Parallelism</c>, <c>Registry:Hosts:HOST:Insecure</c>, <c>Registry:MaxRetries</c>…
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section to bind.</param>
    /// <returns>A builder for what configuration cannot bind, and for <c>IHttpClientFactory</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    public static KmmPreflightBuilder AddKmmPreflight(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddKmmPreflight();
        services.AddOptions<KmmPreflightSettings>().Configure(settings => configuration.Bind(settings));
        return builder;
    }
}
