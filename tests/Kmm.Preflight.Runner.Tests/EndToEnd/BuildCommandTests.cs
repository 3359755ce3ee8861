using Kmm.Preflight.Testing.Engines;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>
/// <c>validate</c> builds a module through a real engine given with <c>--docker-host</c>: in process, or with
/// <c>KMM_PREFLIGHT_EXECUTABLE</c> the installed tool (the Native AOT binary), so the shipped tool is shown to build.
/// </summary>
[TestFixture(EngineKind.Docker)]
[TestFixture(EngineKind.Podman)]
[NonParallelizable]
public class BuildCommandTests(EngineKind kind) : EndToEndTest
{
    private const string Kernel = "6.1.0-56-amd64";
    private EngineProcess _engine = null!;
    private RegistryProcess _registry = null!;
    private string _dir = null!;
    private string _repo = null!;

    [OneTimeSetUp]
    public async Task StartEngineAndPushBase()
    {
        _engine = await EngineProcess.GetSharedOrIgnoreAsync(kind);
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        _repo = $"cli-build-{kind.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}"[..28];
        using var client = _registry.CreateClient();
        await BusyboxBaseImage.PushAsync(client, _registry.Reference($"{_repo}/base:1"));
        _dir = Directory.CreateTempSubdirectory("kmm-runner-build-").FullName;
    }

    [OneTimeTearDown]
    public void RemoveFiles() => Directory.Delete(_dir, recursive: true);

    private string WriteModule(string name, string run)
    {
        var path = Path.Combine(_dir, name + ".yaml");
        File.WriteAllText(path, $$"""
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata: {name: {{name}}, namespace: e2e}
            spec:
              moduleLoader:
                container:
                  modprobe: {moduleName: dummy}
                  kernelMappings:
                    - regexp: '^.+$'
                      containerImage: {{_registry.Host}}/{{_repo}}/{{name}}:${KERNEL_FULL_VERSION}
                      build:
                        dockerfileConfigMap: {name: {{name}}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: {{name}}, namespace: e2e}
            data:
              dockerfile: |
                FROM {{_registry.Host}}/{{_repo}}/base:1
                ARG KERNEL_VERSION
                {{run}}

            """);
        return path;
    }

    private Task<CliRun> Validate(string modules, params string[] args) => RunAsync(
    [
        "validate", "--modules", modules, "--kernel", Kernel, "--insecure-registry", _registry.Host, "--docker-host", _engine.Host.ToString(), "--output", "json", .. args,
    ]);

    [Test]
    public async Task A_module_that_needs_a_build_is_built_verified_and_True()
    {
        var run = await Validate(WriteModule("built", "RUN mkdir -p /opt/lib/modules/$KERNEL_VERSION/extra && cp /src/dummy.ko /opt/lib/modules/$KERNEL_VERSION/extra/ && depmod -b /opt $KERNEL_VERSION"));

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Out, Does.Contain("\"verificationStatus\": \"True\"").And.Contain("built for kernel " + Kernel).And.Contain("not pushed (pushBuiltImage is false)"));
    }

    [Test]
    public async Task A_failing_build_is_False_with_the_step_and_exit_code()
    {
        var run = await Validate(WriteModule("broken", "RUN echo 'make: *** [Makefile:7: dummy.o] Error 2' && exit 2"));

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Out, Does.Contain("\"verificationStatus\": \"False\"").And.Contain("with exit code 2").And.Contain("Makefile:7: dummy.o"));
    }

    [Test]
    public async Task An_unreachable_engine_is_named_in_the_reason()
    {
        var run = await RunAsync(
        [
            "validate", "--modules", WriteModule("noengine", "RUN true"), "--kernel", Kernel, "--insecure-registry", _registry.Host,
            "--docker-host", "unix:///nonexistent/docker.sock", "--output", "json",
        ]);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Out, Does.Contain("cannot reach the container engine at unix:///nonexistent/docker.sock"));
    }
}
