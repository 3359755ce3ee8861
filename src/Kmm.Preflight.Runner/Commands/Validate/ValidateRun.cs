using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Stages.Build;
using Kmm.Preflight.Core.Stages.Image;
using Kmm.Preflight.Core.Stages.Sign;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Runner.Output;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Runner.Commands.Validate;

/// <summary>Runs a <see cref="ValidateRequest"/>: load the objects, choose the target, run the library's validator, print the status.</summary>
internal static class ValidateRun
{
    /// <summary>Runs <paramref name="request"/>; 0 when every module is verified, 1 when one is not, 2 for unusable input.</summary>
    public static async Task<int> RunAsync(ValidateRequest request, RunnerConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(console);
        using var loggerFactory = RunnerLogging.CreateFactory(console.Error, request.Access.Verbose);
        ValidationPipeline pipeline;
        try
        {
            pipeline = CreatePipeline(request, console);
        }
        catch (ArgumentException e)
        {
            return await UsageErrorAsync(console, e.Message);
        }

        var validator = new PreflightValidator(CreateValidatorOptions(request, console, loggerFactory, pipeline, ImageSession.CreateCache(request.Access, loggerFactory)));
        ObjectSet objects;
        PreflightTarget target;
        try
        {
            var loader = new ManifestLoader(loggerFactory.CreateLogger<ManifestLoader>());
            var modules = await ManifestPaths.LoadAsync(loader, request.ModulePaths, console.In, cancellationToken);
            var resources = request.ResourcePaths.Count == 0 ? ObjectSet.Empty : await ManifestPaths.LoadAsync(loader, request.ResourcePaths, console.In, cancellationToken);
            // Modules come from --modules only; --resources adds the Secrets and ConfigMaps they refer to.
            objects = modules.Concat(resources with { Modules = [] });
            if (objects.Modules.Count == 0)
            {
                return await UsageErrorAsync(console, $"no Module objects found in {string.Join(", ", request.ModulePaths.Select(p => ManifestPaths.IsStandardInput(p) ? ManifestPaths.StandardInputName : p))}");
            }

            target = await validator.ResolveTargetAsync(await DescribeTargetAsync(request, loader, cancellationToken), cancellationToken);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return await UsageErrorAsync(console, FailureDescription.OneLine(e));
        }

        var report = await validator.ValidateAsync(objects, target, cancellationToken);
        await ValidationReportWriter.For(request.Format).WriteAsync(report.ToDocument(), console.Out, cancellationToken);
        return report.AllVerified ? ExitCodes.Success : ExitCodes.Failure;
    }

    // Everything the library needs to know about this run, from the request and the console; a new option lands here.
    private static PreflightValidatorOptions CreateValidatorOptions(ValidateRequest request, RunnerConsole console, ILoggerFactory loggerFactory, ValidationPipeline pipeline, LayerIndexCache cache) => new()
    {
        Pipeline = pipeline,
        Platform = request.Access.Platform,
        Parallelism = request.Parallel,
        Registry = ImageSession.CreateClientOptions(request.Access, cache),
        LayerCache = cache,
        SaveImagesDirectory = request.SaveImagesDirectory,
        Logger = loggerFactory.CreateLogger<PreflightValidator>(),
        Progress = console.IsErrorTerminal ? new ModuleProgress(console.Error) : null,
        LayerProgress = console.IsErrorTerminal ? new TerminalProgress(console.Error) : null,
    };

    // The Build stage's engine and network come from the command line; build output goes to a terminal as it comes
    // (with --verbose the logger prints it already).
    private static ValidationPipeline CreatePipeline(ValidateRequest request, RunnerConsole console) => new ValidationPipelineBuilder()
        .AddImageStage(new ImageStageOptions())
        .AddBuildStage(new BuildStageOptions
        {
            EngineHost = request.DockerHost,
            Network = request.BuildNetwork,
            Output = console.IsErrorTerminal && !request.Access.Verbose ? new BuildOutputProgress(console.Error) : null,
        })
        .AddSignStage(new SignStageOptions())
        .Build();

    // The command line names the target one of three ways; the library resolves it.
    private static async Task<PreflightTargetDescription> DescribeTargetAsync(ValidateRequest request, ManifestLoader loader, CancellationToken cancellationToken)
    {
        var description = request switch
        {
            { Kernel: { } kernel } => PreflightTargetDescription.ForKernel(kernel),
            { ReleaseImage: { } release } => PreflightTargetDescription.ForReleaseImage(release, request.RealTime),
            _ => PreflightTargetDescription.FromObjects(await loader.LoadAsync([request.PreflightFile!], cancellationToken), request.PreflightFile!),
        };
        return description with { PushBuiltImage = request.Push };
    }

    private static async Task<int> UsageErrorAsync(RunnerConsole console, string message)
    {
        await console.Error.WriteLineAsync($"kmm-preflight: invalid input: {message}");
        return ExitCodes.UsageError;
    }
}
