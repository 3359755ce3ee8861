using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kmm.Preflight.Extensions.DependencyInjection;

/// <summary>
/// Makes <see cref="PreflightValidatorOptions"/> (an immutable record) from the bound <see cref="KmmPreflightSettings"/>,
/// the container's logger factory and clock, then the <see cref="KmmPreflightBuilder.Configure"/> transforms.
/// </summary>
internal sealed class PreflightValidatorOptionsFactory(
    IOptionsMonitor<KmmPreflightSettings> settings,
    IOptionsFactory<RegistryClientOptions> registry,
    IEnumerable<OptionsTransform<PreflightValidatorOptions>> transforms,
    IServiceProvider services) : IOptionsFactory<PreflightValidatorOptions>
{
    public PreflightValidatorOptions Create(string name)
    {
        var bound = settings.Get(name);
        Platform platform;
        try
        {
            platform = Platform.Parse(bound.Platform);
        }
        catch (FormatException ex)
        {
            throw new OptionsValidationException(name, typeof(PreflightValidatorOptions), [$"Platform: {ex.Message}"]);
        }

        LayerIndexCache? cache;
        try
        {
            cache = bound.LayerCacheDirectory is { } directory
                ? new LayerIndexCache(new LayerIndexCacheOptions
                {
                    Directory = directory,
                    MaxSizeBytes = bound.LayerCacheMaxSizeBytes,
                    Logger = services.GetService<ILoggerFactory>()?.CreateLogger<LayerIndexCache>(),
                })
                : null;
        }
        catch (ArgumentException ex)
        {
            throw new OptionsValidationException(name, typeof(PreflightValidatorOptions), [$"LayerCacheDirectory/LayerCacheMaxSizeBytes: {ex.Message}"]);
        }

        var options = new PreflightValidatorOptions
        {
            Platform = platform,
            Parallelism = bound.Parallelism,
            MaxParallelLayers = bound.MaxParallelLayers,
            LayerCache = cache,
            SaveImagesDirectory = bound.SaveImagesDirectory,
            Registry = registry.Create(name),
            Logger = services.GetService<ILoggerFactory>()?.CreateLogger<PreflightValidator>(),
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
        };

        foreach (var transform in transforms)
        {
            options = transform.Apply(options, services)
                ?? throw new InvalidOperationException("A KmmPreflightBuilder.Configure callback returned null; return the options to use.");
        }

        return options;
    }
}
