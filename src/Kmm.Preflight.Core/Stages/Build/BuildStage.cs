using Kmm.Preflight.Core.Engine;
using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Status;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>
/// The Build stage: builds the module image from the Dockerfile of <c>build.dockerfileConfigMap</c> through a
/// container engine's Docker-compatible API (dockerd with BuildKit, or podman), with base images pulled by our own
/// registry client and loaded into the engine, build secrets bind-mounted into <c>RUN</c> steps, and no network.
/// The built image is read back from the engine and must pass the Image stage's checks; only then, and only with
/// <c>pushBuiltImage</c>, is it pushed to the mapped <c>containerImage</c>.
/// </summary>
internal sealed class BuildStage : IModuleValidationStage
{
    public BuildStage(BuildStageOptions options)
    {
        Options = options;
        EngineHost = options.ResolveEngineHost();
    }

    public BuildStageOptions Options { get; }

    public Uri EngineHost { get; }

    public VerificationStage Stage => VerificationStage.Build;

    public async Task<StageResult> ValidateAsync(StageContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mapping = context.Mapping;
        if (mapping.Build is null)
        {
            return Fail($"{mapping.Module.Id} has no build section in {mapping.Describe()}, so there is nothing to build");
        }

        if (BuildInputs.Gather(context, out var missing) is not { } inputs)
        {
            return Fail(missing!, "inputs");
        }

        if (context.Resolver is null || context.ImageChecks is null)
        {
            return Fail($"this pipeline gives the Build stage no {(context.Resolver is null ? "image resolver (for base images)" : "Image checks (to verify the built image)")}, so {mapping.Module.Id} cannot be built and verified; run it through PreflightValidator");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.Timeout);
        try
        {
            using var engine = new EngineClient(EngineHost, context.Logger);
            return await new BuildRun(this, context, inputs, engine).RunAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail($"building {mapping.Module.Id} for kernel {mapping.Kernel} took longer than the Build stage's timeout of {Options.Timeout}; nothing was pushed", "build");
        }
        catch (EngineException ex)
        {
            context.Logger?.LogDebug(ex, "engine failure while building {Module}", mapping.Module.Id);
            return Fail($"could not build {mapping.Module.Id} for kernel {mapping.Kernel}: {ex.Message.TrimEnd('.')}; start dockerd or 'podman system service', or point --docker-host (DOCKER_HOST) at one", "engine");
        }
        catch (ImageAccessException ex)
        {
            return Fail($"could not pull a base image of the Dockerfile in ConfigMap {inputs.ConfigMap} for {mapping.Module.Id}: {ex.Message.TrimEnd('.')}; check the image name, imageRepoSecret and build.baseImageRegistryTLS", "base-images");
        }
    }

    internal static StageResult Fail(string reason, string check = "build")
        => StageResult.Fail(VerificationStage.Build, reason, [new CheckResult(check, CheckOutcome.Failed, reason)]);
}
