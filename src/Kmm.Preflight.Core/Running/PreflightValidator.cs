using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Mapping;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Registry;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Microsoft.Extensions.Logging;
using Kmm.Preflight.Core.Telemetry;

namespace Kmm.Preflight.Core.Running;

/// <summary>
/// Validates many Modules against one target kernel: bounded parallelism, one shared layer cache, one registry
/// client per distinct credentials and TLS settings, and one result per module in the CRD's status shape.
/// </summary>
public sealed class PreflightValidator
{
    private readonly PreflightValidatorOptions _options;
    private readonly ValidationPipeline _pipeline;

    /// <summary>Creates a validator.</summary>
    /// <exception cref="ArgumentException">The options are invalid (all problems listed).</exception>
    public PreflightValidator(PreflightValidatorOptions? options = null)
    {
        _options = options ?? new PreflightValidatorOptions();
        var errors = new List<string>();
        if (_options.Parallelism is < 1 or > 256)
        {
            errors.Add($"Parallelism must be between 1 and 256 (got {_options.Parallelism})");
        }

        if (_options.MaxParallelLayers is < 1 or > 64)
        {
            errors.Add($"MaxParallelLayers must be between 1 and 64 (got {_options.MaxParallelLayers})");
        }

        ValidationPipelineBuilder.ThrowIfInvalid("preflight options", errors);
        _pipeline = _options.Pipeline ?? ValidationPipeline.CreateDefault();
    }

    /// <summary>
    /// Turns <paramref name="description"/> into a target: a kernel as given, a PreflightValidation as it says, a
    /// PreflightValidationOCP or a release image read through this validator's registry settings and platform;
    /// <see cref="PreflightTargetDescription.PushBuiltImage"/> then forces pushing on.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="description"/> is null.</exception>
    /// <exception cref="ArgumentException">The description is invalid (all problems listed).</exception>
    /// <exception cref="InvalidDataException">The objects do not hold exactly one PreflightValidation or PreflightValidationOCP, or the release or DTK image lacks what is needed.</exception>
    /// <exception cref="FormatException">The kernel has fewer than three fields.</exception>
    /// <exception cref="ImageAccessException">A release or DTK image could not be opened.</exception>
    public async Task<PreflightTarget> ResolveTargetAsync(PreflightTargetDescription description, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(description);
        ValidationPipelineBuilder.ThrowIfInvalid("target description", description.Problems());
        var push = description.PushBuiltImage;
        if (description.Kernel is { } kernel)
        {
            return PreflightTarget.ForKernel(kernel, push);
        }

        if (description.ReleaseImage is { } release)
        {
            return await ResolveOcpAsync(new PreflightValidationOcp { Name = "preflight", ReleaseImage = release, UseRtKernel = description.UseRtKernel, PushBuiltImage = push }, cancellationToken);
        }

        var set = description.Preflight!;
        var count = set.PreflightValidations.Count + set.PreflightValidationsOcp.Count;
        if (count != 1)
        {
            throw new InvalidDataException($"{description.PreflightSource}: expected one PreflightValidation or PreflightValidationOCP, found {count}");
        }

        if (set.PreflightValidations.Count == 1)
        {
            var validation = set.PreflightValidations[0];
            return PreflightTarget.From(push ? validation with { PushBuiltImage = true } : validation);
        }

        var ocp = set.PreflightValidationsOcp[0];
        return await ResolveOcpAsync(push ? ocp with { PushBuiltImage = true } : ocp, cancellationToken);
    }

    /// <summary>Resolves <paramref name="target"/> (<see cref="ResolveTargetAsync"/>) and validates every Module of <paramref name="objects"/> against it.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The description is invalid (all problems listed).</exception>
    /// <exception cref="InvalidDataException">See <see cref="ResolveTargetAsync"/>.</exception>
    /// <exception cref="FormatException">See <see cref="ResolveTargetAsync"/>.</exception>
    /// <exception cref="ImageAccessException">A release or DTK image could not be opened.</exception>
    public async Task<PreflightReport> ValidateAsync(ObjectSet objects, PreflightTargetDescription target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        return await ValidateAsync(objects, await ResolveTargetAsync(target, cancellationToken), cancellationToken);
    }

    /// <summary>Validates every Module of <paramref name="objects"/> (Secrets and ConfigMaps come from there too).</summary>
    public Task<PreflightReport> ValidateAsync(ObjectSet objects, PreflightTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        return ValidateAsync(objects.Modules, objects, target, cancellationToken);
    }

    /// <summary>Validates <paramref name="modules"/>; their pull Secrets and ConfigMaps are looked up in <paramref name="objects"/>.</summary>
    public async Task<PreflightReport> ValidateAsync(IReadOnlyList<Module> modules, ObjectSet objects, PreflightTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modules);
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(target);
        var statistics = new LayerReadStatistics();
        IProgress<LayerScanProgress> layerProgress = _options.LayerProgress is null ? statistics : new FanOutProgress(statistics, _options.LayerProgress);
        var cache = _options.LayerCache ?? new LayerIndexCache();
        using var pool = new RegistryClientPool(RegistryOptionsFor(cache), _options.Logger);
        var opener = _options.ImageOpener ?? new ImageOpener(pool, new ImageOpenerOptions
        {
            Cache = cache,
            RetainContent = ModuleContentFilter.Create(modules.Where(m => m.Container is not null)
                .SelectMany(m => m.Container!.Modprobe.ModulesLoadingOrder.Append(m.Container.Modprobe.ModuleName))),
            MaxParallelLayers = _options.MaxParallelLayers,
            Progress = layerProgress,
            Logger = _options.Logger,
            ReuseResolvedImages = true,
        });

        using var ownPublisher = _options.Publisher is null ? new RegistryImagePublisher(pool, _options.SaveImagesDirectory, _options.Logger) : null;
        var publisher = _options.Publisher ?? ownPublisher!;
        var results = new ModuleResult[modules.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, modules.Count), new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.Parallelism,
            CancellationToken = cancellationToken,
        }, async (i, ct) =>
        {
            using var activity = CoreTelemetry.StartModule(modules[i], target);
            results[i] = CoreTelemetry.Verdict(activity, await ValidateModuleAsync(modules[i], objects, target, opener, publisher, ct));
        });

        return new PreflightReport
        {
            Target = target,
            Results = results,
            LayerScans = statistics.ScansByLayer.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            CompressedBytesRead = statistics.CompressedBytesRead,
            LayerReads = statistics.LayerReads.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        };
    }

    private async Task<PreflightTarget> ResolveOcpAsync(PreflightValidationOcp validation, CancellationToken cancellationToken)
    {
        using var pool = new RegistryClientPool(RegistryOptionsFor(_options.LayerCache), _options.Logger);
        var images = _options.ImageOpener ?? new ImageOpener(pool, new ImageOpenerOptions { Cache = _options.LayerCache, Logger = _options.Logger });
        return await new KernelTargetResolver(images, _options.Platform).ResolveAsync(validation, cancellationToken);
    }

    private async Task<ModuleResult> ValidateModuleAsync(Module module, ObjectSet objects, PreflightTarget target, IImageOpener opener, IImagePublisher publisher, CancellationToken cancellationToken)
    {
        if (module.Container is null)
        {
            return Final(module, true, $"{module.Id} has no moduleLoader: nothing to validate");
        }

        var resolution = KernelMappingResolver.Resolve(module, target.Kernel);
        if (resolution.Mapping is not { } mapping)
        {
            return Final(module, false, resolution.FailureReason!);
        }

        ICredentialProvider? credentials = null;
        string? credentialsKey = null;
        if (module.ImageRepoSecret is { } secretName)
        {
            var secret = objects.FindSecret(module.Namespace, secretName);
            if (secret is null)
            {
                return Final(module, false, $"imageRepoSecret {secretName} of {module.Id} was not found in namespace {module.Namespace}; add the Secret to the input files or remove imageRepoSecret", mapping);
            }

            try
            {
                credentials = DockerConfigCredentialProvider.FromKubernetesSecret($"{secret.Namespace}/{secret.Name}", secret.Type, secret.Data);
                credentialsKey = $"secret:{secret.Namespace}/{secret.Name}";
            }
            catch (InvalidDataException ex)
            {
                return Final(module, false, $"imageRepoSecret {secretName} of {module.Id} is not a usable pull secret ({ex.Message.TrimEnd('.')}); give it a .dockerconfigjson key", mapping);
            }
        }

        var context = new StageContext
        {
            Mapping = mapping,
            DtkImage = target.DtkImage,
            PushBuiltImage = target.PushBuiltImage,
            Platform = _options.Platform,
            Images = opener,
            Resolver = opener as IImageResolver,
            Publisher = publisher,
            Credentials = credentials,
            CredentialsKey = credentialsKey,
            Objects = objects,
            Logger = _options.Logger,
        };
        var stageProgress = _options.Progress is null ? null : new StageProgress(this, module);
        _options.Logger?.LogDebug("validating {Module} with image {Image}", module.Id, mapping.ContainerImage);
        var outcome = await _pipeline.RunAsync(context, stageProgress, cancellationToken);
        return Final(module, outcome.Verified, outcome.Reason, mapping) with { DecidedBy = outcome.DecidedBy, StageResults = outcome.StageResults };
    }

    private ModuleResult Final(Module module, bool verified, string reason, ResolvedMapping? mapping = null)
    {
        var status = Status(module, verified, VerificationStage.Done, reason);
        _options.Progress?.Report(status);
        return new ModuleResult { Module = module, Status = status, Mapping = mapping };
    }

    private ModuleStatus Status(Module module, bool verified, VerificationStage stage, string reason) => new()
    {
        Name = module.Name,
        Namespace = module.Namespace,
        Verified = verified,
        Stage = stage,
        StatusReason = reason,
        LastTransitionTime = _options.TimeProvider.GetUtcNow(),
    };

    private sealed class StageProgress(PreflightValidator validator, Module module) : IProgress<VerificationStage>
    {
        public void Report(VerificationStage value)
            => validator._options.Progress?.Report(validator.Status(module, false, value, $"verification of {module.Id} is in the {value} stage"));
    }

    private sealed class FanOutProgress(IProgress<LayerScanProgress> first, IProgress<LayerScanProgress> second) : IProgress<LayerScanProgress>
    {
        public void Report(LayerScanProgress value)
        {
            first.Report(value);
            second.Report(value);
        }
    }

    // A persisted cache that already holds a top layer's index makes prefetching it a wasted download.
    private RegistryClientOptions RegistryOptionsFor(LayerIndexCache? cache)
        => cache?.Directory is not null && _options.Registry.TopLayerPrefetchFilter is null
            ? _options.Registry with { TopLayerPrefetchFilter = digest => !cache.Contains(digest) }
            : _options.Registry;
}
