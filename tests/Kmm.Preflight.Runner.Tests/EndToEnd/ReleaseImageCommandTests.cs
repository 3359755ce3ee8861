using System.Text;
using System.Text.Json;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>
/// The OpenShift leftovers from the command line, against a real registry: <c>kernel RELEASE_IMAGE</c> and
/// <c>validate --release-image</c>, on a release image whose payload names a driver-toolkit image by digest.
/// </summary>
[NonParallelizable]
public class ReleaseImageCommandTests : EndToEndTest
{
    private const string Kernel = "6.1.0-56-amd64";
    private const string RtKernel = "6.1.0-56-rt-amd64";
    private RegistryProcess _registry = null!;
    private string _release = null!;
    private string _releaseWithoutRt = null!;
    private string _dtk = null!;
    private string _dir = null!;

    [OneTimeSetUp]
    public async Task PushReleaseImages()
    {
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        var repo = "kmm-runner-ocp-" + Guid.NewGuid().ToString("N")[..8];
        using var client = _registry.CreateClient();

        async Task<string> PushRelease(string tag, string dtkJson)
        {
            var dtk = await TestImagePusher.PushImageAsync(client, _registry.Reference($"{repo}/dtk:{tag}"),
                [new LayerBuilder().WithParentDirectories().AddFile("etc/driver-toolkit-release.json", dtkJson).Gzip()]);
            var dtkByDigest = $"{_registry.Host}/{repo}/dtk@{dtk.Digest}";
            var references = $$"""{"kind": "ImageStream", "apiVersion": "image.openshift.io/v1", "spec": {"tags": [{"name": "driver-toolkit", "from": {"kind": "DockerImage", "name": "{{dtkByDigest}}"} } ] } }""";
            await TestImagePusher.PushImageAsync(client, _registry.Reference($"{repo}/release:{tag}"),
                [new LayerBuilder().WithParentDirectories().AddFile("release-manifests/image-references", Encoding.UTF8.GetBytes(references)).Gzip()]);
            return dtkByDigest;
        }

        _dtk = await PushRelease("x86", $$"""{"KERNEL_VERSION": "{{Kernel}}", "RT_KERNEL_VERSION": "{{RtKernel}}", "RHEL_VERSION": "9.2"}""");
        await PushRelease("arm", $$"""{"KERNEL_VERSION": "{{Kernel}}", "RHEL_VERSION": "9.2"}""");
        _release = $"{_registry.Host}/{repo}/release:x86";
        _releaseWithoutRt = $"{_registry.Host}/{repo}/release:arm";

        await TestImagePusher.PushImageAsync(client, _registry.Reference($"{repo}/dummy:{Kernel}"),
        [
            new LayerBuilder()
                .AddFile($"opt/lib/modules/{Kernel}/extra/dummy.ko", RepositoryTestData.Module("dummy.ko"))
                .AddFile($"opt/lib/modules/{Kernel}/modules.dep", "extra/dummy.ko:\n")
                .Gzip(),
        ]);
        _dir = Path.Combine(Path.GetTempPath(), $"kmm-runner-ocp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "dummy.yaml"), $$"""
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata: {name: dummy, namespace: ocp}
            spec:
              moduleLoader:
                container:
                  modprobe: {moduleName: dummy}
                  kernelMappings:
                    - regexp: '^.+$'
                      containerImage: "{{_registry.Host}}/{{repo}}/dummy:${KERNEL_FULL_VERSION}"
            """);
    }

    [OneTimeTearDown]
    public void RemoveFiles() => Directory.Delete(_dir, recursive: true);

    private Task<CliRun> Run(params string[] args) => RunAsync([.. args, "--insecure-registry", _registry.Host]);

    [Test]
    public async Task Kernel_prints_the_release_kernel_alone()
    {
        var run = await Run("kernel", _release);
        Assert.That((run.ExitCode, run.Out), Is.EqualTo((0, Kernel + "\n")), run.ToString());

        var rt = await Run("kernel", _release, "--rt");
        Assert.That((rt.ExitCode, rt.Out), Is.EqualTo((0, RtKernel + "\n")), rt.ToString());
    }

    [Test]
    public async Task Kernel_json_has_every_field_of_the_driver_toolkit_release()
    {
        var run = await Run("kernel", _release, "--output", "json");
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.That(root.GetProperty("kernelVersion").GetString(), Is.EqualTo(Kernel));
        Assert.That(root.GetProperty("rtKernelVersion").GetString(), Is.EqualTo(RtKernel));
        Assert.That(root.GetProperty("rhelVersion").GetString(), Is.EqualTo("9.2"));
        Assert.That(root.GetProperty("driverToolkitImage").GetString(), Is.EqualTo(_dtk));

        var arm = await Run("kernel", _releaseWithoutRt, "--output", "json");
        using var armJson = JsonDocument.Parse(arm.Out);
        Assert.That(armJson.RootElement.GetProperty("rtKernelVersion").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Kernel_rt_of_a_release_without_one_is_a_one_line_error()
        => AssertOneLineError(await Run("kernel", _releaseWithoutRt, "--rt"), 1, "RT_KERNEL_VERSION", "x86_64");

    [Test]
    public async Task Kernel_of_a_missing_release_is_not_found()
        => AssertOneLineError(await Run("kernel", _release + "-absent"), 1, "not found");

    [Test]
    public async Task Validate_release_image_validates_for_its_kernel_as_an_ocp_object()
    {
        var run = await Run("validate", "--modules", _dir, "--release-image", _release, "--output", "json");
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.That(root.GetProperty("kind").GetString(), Is.EqualTo("PreflightValidationOCP"));
        Assert.That(root.GetProperty("spec").GetProperty("releaseImage").GetString(), Is.EqualTo(_release));
        Assert.That(root.GetProperty("status").GetProperty("modules")[0].GetProperty("statusReason").GetString(), Does.Contain(Kernel));

        // The real-time kernel has no image: the module is not verified, and the reason names that kernel.
        var rt = await Run("validate", "--modules", _dir, "--release-image", _release, "--rt", "--output", "json");
        Assert.That(rt.ExitCode, Is.EqualTo(1), rt.ToString());
        Assert.That(rt.Out, Does.Contain(RtKernel));
    }

    [Test]
    public async Task Validate_rt_without_release_image_is_a_usage_error()
    {
        var run = await Run("validate", "--modules", _dir, "--kernel", Kernel, "--rt");
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.Contain("--rt needs --release-image"));
    }
}

file static class LayerBuilderGzip
{
    public static TestLayer Gzip(this LayerBuilder builder) => new(builder.Build(LayerCompression.Gzip).Content!, Oci.Manifests.MediaType.OciLayerGzip);
}
