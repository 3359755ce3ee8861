using Kmm.Preflight.Core.Running;

namespace Kmm.Preflight.Extensions.DependencyInjection;

/// <summary>
/// The bindable part of <see cref="PreflightValidatorOptions"/>: plain settable properties that
/// <c>IConfiguration</c> binds (e.g. a <c>KmmPreflight</c> section of <c>appsettings.json</c>). What cannot be bound
/// (the pipeline, credential providers, progress callbacks) is set with <see cref="KmmPreflightBuilder.Configure"/>.
/// </summary>
public sealed class KmmPreflightSettings
{
    private static readonly PreflightValidatorOptions Defaults = new();

    /// <summary>The platform chosen from image indexes, as <c>os/arch[/variant]</c>.</summary>
    /// <value>Default <c>linux/amd64</c>.</value>
    public string Platform { get; set; } = Defaults.Platform.ToString();

    /// <summary>How many modules are validated at once (1 to 256).</summary>
    /// <value>Default 4.</value>
    public int Parallelism { get; set; } = Defaults.Parallelism;

    /// <summary>How many layers of one image may be streamed at once (1 to 64).</summary>
    /// <value>Default 2.</value>
    public int MaxParallelLayers { get; set; } = Defaults.MaxParallelLayers;

    /// <summary>
    /// A directory where layer indexes are kept between runs and processes (a layer already indexed is not read
    /// again); null for an in-memory cache private to each run.
    /// </summary>
    /// <value>Default null.</value>
    public string? LayerCacheDirectory { get; set; }

    /// <summary>
    /// The bound of <see cref="LayerCacheDirectory"/>'s index files in bytes; the least recently used are evicted
    /// first.
    /// </summary>
    /// <value>Default 1 GiB (<c>LayerIndexCacheOptions.DefaultMaxSizeBytes</c>).</value>
    public long LayerCacheMaxSizeBytes { get; set; } = Oci.FileSystem.LayerIndexCacheOptions.DefaultMaxSizeBytes;

    /// <summary>Where built and signed images are saved, as one OCI image layout; null for nowhere.</summary>
    /// <value>Default null.</value>
    public string? SaveImagesDirectory { get; set; }

    /// <summary>Registry connection settings, for the validator and for the registered <c>RegistryClient</c>.</summary>
    public KmmPreflightRegistrySettings Registry { get; set; } = new();
}
