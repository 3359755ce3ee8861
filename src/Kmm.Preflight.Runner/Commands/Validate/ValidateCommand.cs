using System.CommandLine;

namespace Kmm.Preflight.Runner.Commands.Validate;

/// <summary>
/// <c>kmm-preflight validate</c>: runs KMM's preflight validation for every Module against a target kernel and
/// prints the PreflightValidation status. Exit 0 when every module is verified, 1 when one is not, 2 for unusable input.
/// </summary>
internal static class ValidateCommand
{
    /// <summary>The default for <c>--parallel</c>.</summary>
    public const int DefaultParallel = 4;

    /// <summary>Creates the command; <paramref name="run"/> replaces the real run (parser tests look at the request).</summary>
    public static Command Create(Option<bool> verbose, RunnerConsole console, Func<ValidateRequest, RunnerConsole, CancellationToken, Task<int>>? run = null)
    {
        run ??= ValidateRun.RunAsync;
        ArgumentNullException.ThrowIfNull(console);
        var modules = new Option<string[]>("--modules", "-m")
        {
            Description = "Files or directories (YAML/JSON, multi-document, kind: List) with Module objects, and optionally their Secrets and ConfigMaps; - reads standard input (kubectl get modules -A -o yaml | …).",
            HelpName = "PATH",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var resources = new Option<string[]>("--resources")
        {
            Description = "Files or directories with more Secrets (pull secrets, signing keys) and ConfigMaps (Dockerfiles); - reads standard input.",
            HelpName = "PATH",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };
        ManifestPaths.AcceptExistingOrStandardInput(modules);
        ManifestPaths.AcceptExistingOrStandardInput(resources);
        var kernel = new Option<string>("--kernel", "-k") { Description = "Target kernel version (builds a PreflightValidation for it).", HelpName = "VERSION" };
        var preflight = new Option<FileInfo>("--preflight")
        {
            Description = "A PreflightValidation or PreflightValidationOCP object to run.",
            HelpName = "FILE",
        }.AcceptExistingOnly();
        var releaseImage = new Option<string>("--release-image")
        {
            Description = "An OpenShift release image: validate for the kernel it runs and give its driver-toolkit image as DTK_AUTO (what a PreflightValidationOCP with releaseImage does).",
            HelpName = "REF",
        };
        var rt = new Option<bool>("--rt") { Description = "With --release-image: the real-time kernel (useRTKernel)." };
        var push = new Option<bool>("--push") { Description = "Push built and signed images (spec.pushBuiltImage)." };
        var saveImages = new Option<DirectoryInfo>("--save-images")
        {
            Description = "Save every image this run builds or signs into this directory as an OCI layout (look at it, or push it later with skopeo copy oci:DIR:TAG …).",
            HelpName = "DIR",
        };
        var parallel = new Option<int>("--parallel") { Description = "How many modules are checked at once.", HelpName = "N", DefaultValueFactory = _ => DefaultParallel };
        parallel.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--parallel must be at least 1.");
            }
        });
        var dockerHost = new Option<Uri>("--docker-host")
        {
            Description = "The container engine that builds modules (dockerd, or podman system service): unix:///PATH, tcp://HOST:PORT. Default: $DOCKER_HOST, else unix:///var/run/docker.sock.",
            HelpName = "URI",
            CustomParser = result => Uri.TryCreate(result.Tokens[0].Value, UriKind.Absolute, out var uri) ? uri : Invalid(result, $"--docker-host {result.Tokens[0].Value} is not a URI (e.g. unix:///run/podman/podman.sock)"),
        };
        var buildNetwork = new Option<string>("--build-network")
        {
            Description = "The network of RUN steps in builds (none, host, default…). Default: none; base images are loaded beforehand.",
            HelpName = "NAME",
            DefaultValueFactory = _ => "none",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Output format: table (default when stdout is a terminal), json (default otherwise) or yaml.",
            HelpName = "table|json|yaml",
        }.AcceptOnlyFromAmong("table", "json", "yaml");
        var access = new ImageAccessOptionSet(verbose);
        var command = new Command("validate", "Check that every Module's image holds a module that will load on the target kernel (KMM preflight validation).")
        {
            modules, resources, kernel, preflight, releaseImage, rt, push, saveImages, parallel, output, dockerHost, buildNetwork,
        };
        access.AddTo(command);
        command.Validators.Add(result =>
        {
            var targets = new[] { result.GetResult(kernel), result.GetResult(preflight), result.GetResult(releaseImage) }.Count(t => t is not null);
            if (targets != 1)
            {
                result.AddError("give exactly one of --kernel VERSION, --preflight FILE or --release-image REF.");
            }

            if (result.GetResult(rt) is not null && result.GetResult(releaseImage) is null)
            {
                result.AddError("--rt needs --release-image (a PreflightValidationOCP file says useRTKernel itself).");
            }

            var stdinUses = (result.GetValue(modules) ?? []).Concat(result.GetValue(resources) ?? []).Count(ManifestPaths.IsStandardInput);
            if (stdinUses > 1)
            {
                result.AddError("standard input (-) can be read once: give - to --modules or --resources, not both.");
            }
        });
        command.SetAction((parseResult, cancellationToken) =>
        {
            var request = new ValidateRequest(
                [.. parseResult.GetRequiredValue(modules).Select(ManifestPaths.FullPath)],
                [.. (parseResult.GetValue(resources) ?? []).Select(ManifestPaths.FullPath)],
                parseResult.GetValue(kernel),
                parseResult.GetValue(preflight)?.FullName,
                parseResult.GetValue(push),
                parseResult.GetValue(parallel),
                ParseFormat(parseResult.GetValue(output), console.IsOutputTerminal),
                access.Bind(parseResult),
                parseResult.GetValue(releaseImage),
                parseResult.GetValue(rt),
                parseResult.GetValue(saveImages)?.FullName)
            {
                DockerHost = parseResult.GetValue(dockerHost),
                BuildNetwork = parseResult.GetValue(buildNetwork) ?? "none",
            };
            return CommandGuard.RunAsync(console, request.Access.Verbose, ct => run(request, console, ct), cancellationToken);
        });
        return command;
    }

    private static Uri? Invalid(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return null;
    }

    /// <summary>The format named by <c>--output</c>; without it, a table for a terminal and JSON for a pipe or file.</summary>
    public static OutputFormat ParseFormat(string? text, bool outputIsTerminal) => text?.ToLowerInvariant() switch
    {
        "table" => OutputFormat.Table,
        "json" => OutputFormat.Json,
        "yaml" => OutputFormat.Yaml,
        _ => outputIsTerminal ? OutputFormat.Table : OutputFormat.Json,
    };
}
