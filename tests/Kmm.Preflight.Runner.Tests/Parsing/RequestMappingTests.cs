using System.CommandLine;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Runner.Commands;
using Kmm.Preflight.Runner.Commands.Ls;
using Kmm.Preflight.Runner.Commands.Validate;

namespace Kmm.Preflight.Runner.Tests.Parsing;

public class RequestMappingTests
{
    private static readonly RunnerConsole Console = new(TextWriter.Null, TextWriter.Null, Stream.Null, false, false);

    private static async Task<T?> CaptureAsync<T>(Func<Func<T, RunnerConsole, CancellationToken, Task<int>>, Command> create, params string[] args)
        where T : class
    {
        T? captured = null;
        var command = create((request, _, _) =>
        {
            captured = request;
            return Task.FromResult(0);
        });
        var root = new RootCommand { command };
        var result = root.Parse(args);
        Assert.That(result.Errors, Is.Empty, string.Join("; ", result.Errors.Select(e => e.Message)));
        Assert.That(await result.InvokeAsync(), Is.Zero);
        return captured;
    }

    [Test]
    public async Task Validate_maps_every_option_to_the_request()
    {
        var dir = TestContext.CurrentContext.WorkDirectory;
        var request = await CaptureAsync<ValidateRequest>(
            run => ValidateCommand.Create(GlobalOptions.CreateVerbose(), Console, run),
            "validate", "--modules", dir, dir, "--resources", dir, "--kernel", "6.1.0-56-amd64", "--push",
            "--parallel", "7", "-o", "yaml", "--platform", "linux/arm64", "--insecure-registry", "127.0.0.1:5000");

        Assert.That(request, Is.Not.Null);
        Assert.That(request!.ModulePaths, Is.EqualTo(new[] { Path.GetFullPath(dir), Path.GetFullPath(dir) }));
        Assert.That(request.ResourcePaths, Has.Count.EqualTo(1));
        Assert.That(request.Kernel, Is.EqualTo("6.1.0-56-amd64"));
        Assert.That(request.PreflightFile, Is.Null);
        Assert.That(request.Push, Is.True);
        Assert.That(request.Parallel, Is.EqualTo(7));
        Assert.That(request.Format, Is.EqualTo(OutputFormat.Yaml));
        Assert.That(request.Access.Platform, Is.EqualTo(new Platform("linux", "arm64")));
        Assert.That(request.Access.InsecureRegistries, Is.EqualTo(new[] { "127.0.0.1:5000" }));
    }

    [Test]
    public async Task Validate_defaults()
    {
        var dir = TestContext.CurrentContext.WorkDirectory;
        var request = await CaptureAsync<ValidateRequest>(
            run => ValidateCommand.Create(GlobalOptions.CreateVerbose(), Console, run),
            "validate", "--modules", dir, "--kernel", "6.1.0-56-amd64");

        Assert.That(request!.Push, Is.False);
        Assert.That(request.Parallel, Is.EqualTo(ValidateCommand.DefaultParallel));
        Assert.That(request.ResourcePaths, Is.Empty);
        Assert.That(request.Format, Is.EqualTo(OutputFormat.Json), "stdout is not a terminal here");
        Assert.That(request.Access.Platform, Is.EqualTo(Platform.Default));
    }

    [Test]
    public async Task Ls_path_defaults_to_root()
    {
        var request = await CaptureAsync<LsRequest>(
            run => LsCommand.Create(GlobalOptions.CreateVerbose(), Console, run),
            "ls", "oci:/images/demo:1");

        Assert.That(request!.Image, Is.EqualTo("oci:/images/demo:1"));
        Assert.That(request.Path, Is.EqualTo("/"));
        Assert.That(request.Recursive, Is.False);
        Assert.That(request.Long, Is.False);
    }

    [Test]
    public async Task Ls_short_flags_bundle()
    {
        var request = await CaptureAsync<LsRequest>(
            run => LsCommand.Create(GlobalOptions.CreateVerbose(), Console, run),
            "ls", "-rl", "registry.local/demo:1", "/opt/lib");

        Assert.That(request!.Path, Is.EqualTo("/opt/lib"));
        Assert.That(request.Recursive, Is.True);
        Assert.That(request.Long, Is.True);
    }
}
