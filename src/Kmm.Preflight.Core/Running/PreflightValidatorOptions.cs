using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Running;

/// <summary>Options for <see cref="PreflightValidator"/>.</summary>
public sealed record PreflightValidatorOptions
{
    /// <summary>The platform chosen from image indexes.</summary>
    /// <value>Default <c>linux/amd64</c>.</value>
    public Platform Platform { get; init; } = Platform.Default;

    /// <summary>How many modules are validated at once.</summary>
    /// <value>Default 4.</value>
    public int Parallelism { get; init; } = 4;

    /// <summary>How many layers of one image may be streamed at once.</summary>
    /// <value>Default 2.</value>
    public int MaxParallelLayers { get; init; } = 2;

    /// <summary>The layer index cache shared by every image of the run; null for one private to the run.</summary>
    public LayerIndexCache? LayerCache { get; init; }

    /// <summary>
    /// Registry client settings for every registry: default credentials (auth file, docker config), CA files,
    /// per-host settings. A Module's <c>imageRepoSecret</c> is tried before <see cref="RegistryClientOptions.Credentials"/>,
    /// and a mapping's <c>registryTLS</c> overrides the image host's settings.
    /// </summary>
    public RegistryClientOptions Registry { get; init; } = new();

    /// <summary>The stages; null for <see cref="ValidationPipeline.CreateDefault"/>.</summary>
    public ValidationPipeline? Pipeline { get; init; }

    /// <summary>Opens images; null for a <see cref="RegistryImageOpener"/> over <see cref="Registry"/>.</summary>
    public IImageOpener? ImageOpener { get; init; }

    /// <summary>
    /// Where built and signed images go (pushed only when <c>pushBuiltImage</c>, saved when asked).
    /// </summary>
    /// <value>Default null: a publisher over this run's registry clients (same credentials and TLS as every read),
    /// saving to <see cref="SaveImagesDirectory"/> when that is set.</value>
    public IImagePublisher? Publisher { get; init; }

    /// <summary>Where the default publisher saves every built or signed image, as one OCI image layout; null for nowhere.</summary>
    public string? SaveImagesDirectory { get; init; }

    /// <summary>Status changes of modules as they happen (stage Image, Build, Sign, then Done); null for none.</summary>
    public IProgress<ModuleStatus>? Progress { get; init; }

    /// <summary>Progress of layer reads; null for none.</summary>
    public IProgress<LayerScanProgress>? LayerProgress { get; init; }

    /// <summary>Logger; null for none.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>The clock for <c>lastTransitionTime</c>.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
