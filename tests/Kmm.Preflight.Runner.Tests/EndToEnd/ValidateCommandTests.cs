using System.Text.Json;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;
using YamlDotNet.RepresentationModel;

namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary><c>validate</c> against a real registry: exit codes, JSON/YAML status shape, input errors.</summary>
[NonParallelizable]
public class ValidateCommandTests : EndToEndTest
{
    private const string Kernel = "6.1.0-56-amd64";
    private RegistryProcess _registry = null!;
    private string _dir = null!;
    private string _good = null!;
    private string _bad = null!;

    [OneTimeSetUp]
    public async Task PushImagesAndWriteManifests()
    {
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        using var client = _registry.CreateClient();
        var withDep = Layer(new LayerBuilder()
            .AddFile($"opt/lib/modules/{Kernel}/extra/dummy.ko", RepositoryTestData.Module("dummy.ko"))
            .AddFile($"opt/lib/modules/{Kernel}/modules.dep", "extra/dummy.ko:\n"));
        var otherKernel = Layer(new LayerBuilder()
            .AddFile("opt/lib/modules/6.1.0-13-amd64/extra/veth.ko", RepositoryTestData.Module("veth.ko"))
            .AddFile("opt/lib/modules/6.1.0-13-amd64/modules.dep", "extra/veth.ko:\n"));
        await TestImagePusher.PushImageAsync(client, _registry.Reference($"validate/dummy:{Kernel}"), [withDep]);
        await TestImagePusher.PushImageAsync(client, _registry.Reference($"validate/veth:{Kernel}"), [otherKernel]);

        _dir = Path.Combine(Path.GetTempPath(), $"kmm-runner-validate-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(_dir, "good"));
        _good = Path.Combine(_dir, "good", "dummy.yaml");
        File.WriteAllText(_good, Module("dummy", "${KERNEL_FULL_VERSION}"));
        _bad = Path.Combine(_dir, "two.yaml");
        File.WriteAllText(_bad, Module("dummy", "${KERNEL_FULL_VERSION}") + "---\n" + Module("veth", Kernel));
    }

    [OneTimeTearDown]
    public void RemoveFiles() => Directory.Delete(_dir, recursive: true);

    private static TestLayer Layer(LayerBuilder builder) => new(builder.Build(LayerCompression.Gzip).Content!, MediaType.OciLayerGzip);

    private string Module(string name, string tag) => $"""
        apiVersion: kmm.sigs.x-k8s.io/v1beta1
        kind: Module
        metadata:
          name: {name}
          namespace: e2e
        spec:
          moduleLoader:
            container:
              modprobe:
                moduleName: {name}
              kernelMappings:
                - regexp: '^.+$'
                  containerImage: "{_registry.Host}/validate/{name}:{tag}"

        """;

    private Task<CliRun> Validate(params string[] args)
        => RunAsync(["validate", "--insecure-registry", _registry.Host, "--auth-file", EmptyAuthFile(), .. args]);

    private string EmptyAuthFile()
    {
        var path = Path.Combine(_dir, "auth.json");
        File.WriteAllText(path, "{\"auths\":{}}");
        return path;
    }

    [Test]
    public async Task Every_module_verified_is_exit_0_with_json_status()
    {
        var run = await Validate("--modules", Path.GetDirectoryName(_good)!, "--kernel", Kernel, "--output", "json");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.That(root.GetProperty("kind").GetString(), Is.EqualTo("PreflightValidation"));
        Assert.That(root.GetProperty("spec").GetProperty("kernelVersion").GetString(), Is.EqualTo(Kernel));
        var module = root.GetProperty("status").GetProperty("modules").EnumerateArray().Single();
        Assert.That(module.GetProperty("name").GetString(), Is.EqualTo("dummy"));
        Assert.That(module.GetProperty("namespace").GetString(), Is.EqualTo("e2e"));
        Assert.That(module.GetProperty("verificationStatus").GetString(), Is.EqualTo("True"));
        Assert.That(module.GetProperty("verificationStage").GetString(), Is.Not.Empty);
        Assert.That(module.GetProperty("statusReason").GetString(), Does.Contain("dummy"));
        Assert.That(DateTimeOffset.TryParse(module.GetProperty("lastTransitionTime").GetString(), out _), Is.True);
    }

    [Test]
    public async Task A_module_not_verified_is_exit_1_and_json_is_the_default_when_piped()
    {
        var run = await Validate("--modules", _bad, "--kernel", Kernel);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var modules = json.RootElement.GetProperty("status").GetProperty("modules").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m);
        Assert.That(modules["dummy"].GetProperty("verificationStatus").GetString(), Is.EqualTo("True"));
        Assert.That(modules["veth"].GetProperty("verificationStatus").GetString(), Is.EqualTo("False"));
        Assert.That(modules["veth"].GetProperty("statusReason").GetString(), Does.Contain(Kernel));
    }

    [Test]
    public async Task Yaml_output_reads_back_as_the_preflight_object()
    {
        var run = await Validate("--modules", _bad, "--kernel", Kernel, "-o", "yaml");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        var stream = new YamlStream();
        stream.Load(new StringReader(run.Out));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.That(root["kind"].ToString(), Is.EqualTo("PreflightValidation"));
        var modules = (YamlSequenceNode)((YamlMappingNode)root["status"])["modules"];
        Assert.That(modules.Children.Select(m => ((YamlMappingNode)m)["verificationStatus"].ToString()), Is.EquivalentTo(new[] { "True", "False" }));
    }

    [Test]
    public async Task Table_output_has_a_row_a_module_and_a_summary()
    {
        var run = await Validate("--modules", _bad, "--kernel", Kernel, "-o", "table");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        var lines = run.Out.TrimEnd().Split('\n');
        Assert.That(lines[0], Does.StartWith("MODULE"));
        Assert.That(lines, Has.Some.Match(@"^e2e/dummy\s+True\s"));
        Assert.That(lines, Has.Some.Match(@"^e2e/veth\s+False\s"));
        Assert.That(lines[^1], Is.EqualTo($"2 module(s) checked for kernel {Kernel}: 1 verified, 1 not verified."));
    }

    [Test]
    public async Task Preflight_file_names_the_kernel_and_the_object()
    {
        var file = Path.Combine(_dir, "preflight.yaml");
        File.WriteAllText(file, $"""
            apiVersion: kmm.sigs.x-k8s.io/v1beta2
            kind: PreflightValidation
            metadata:
              name: upgrade-check
            spec:
              kernelVersion: {Kernel}
              pushBuiltImage: false

            """);

        var run = await Validate("--modules", _good, "--preflight", file);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        Assert.That(json.RootElement.GetProperty("metadata").GetProperty("name").GetString(), Is.EqualTo("upgrade-check"));
        Assert.That(json.RootElement.GetProperty("spec").GetProperty("kernelVersion").GetString(), Is.EqualTo(Kernel));
    }

    [Test]
    public async Task Preflight_ocp_file_with_a_kernel_version_is_reported_as_ocp()
    {
        var file = Path.Combine(_dir, "preflight-ocp.yaml");
        File.WriteAllText(file, $"""
            apiVersion: kmm.sigs.x-k8s.io/v1beta2
            kind: PreflightValidationOCP
            metadata:
              name: ocp-upgrade
            spec:
              kernelVersion: {Kernel}
              dtkImage: {_registry.Host}/ocp/dtk@sha256:{new string('0', 64)}

            """);

        var run = await Validate("--modules", _bad, "--preflight", file, "--output", "json");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        Assert.That(json.RootElement.GetProperty("kind").GetString(), Is.EqualTo("PreflightValidationOCP"));
        Assert.That(json.RootElement.GetProperty("metadata").GetProperty("name").GetString(), Is.EqualTo("ocp-upgrade"));
        Assert.That(json.RootElement.GetProperty("spec").GetProperty("kernelVersion").GetString(), Is.EqualTo(Kernel));
        Assert.That(json.RootElement.GetProperty("status").GetProperty("modules").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public async Task Modules_piped_on_standard_input_as_kubectl_prints_them()
    {
        // kubectl get modules -A -o yaml prints a List; the pull secret's Secret comes from a file beside it.
        var list = "apiVersion: v1\nkind: List\nitems:\n" + string.Join(string.Empty, (Module("dummy", "${KERNEL_FULL_VERSION}") + "---\n" + Module("veth", Kernel))
            .Split("---\n").Select(doc => "- " + doc.TrimEnd().Replace("\n", "\n  ", StringComparison.Ordinal) + "\n"));
        var run = await CliRun.RunWithInputAsync(list, "validate", "--insecure-registry", _registry.Host, "--auth-file", EmptyAuthFile(), "--modules", "-", "--kernel", Kernel, "--output", "json");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var modules = json.RootElement.GetProperty("status").GetProperty("modules").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("verificationStatus").GetString());
        Assert.That(modules, Is.EqualTo(new Dictionary<string, string?> { ["dummy"] = "True", ["veth"] = "False" }));
    }

    [Test]
    public async Task Standard_input_that_holds_no_module_names_stdin()
        => AssertOneLineError(await CliRun.RunWithInputAsync("", "validate", "--modules", "-", "--kernel", Kernel), 2, "no Module objects found in <stdin>");

    [Test]
    public async Task Standard_input_is_read_once()
    {
        var run = await CliRun.RunWithInputAsync("", "validate", "--modules", "-", "--resources", "-", "--kernel", Kernel);
        Assert.That((run.ExitCode, run.Out), Is.EqualTo((2, string.Empty)), run.ToString());
        Assert.That(run.Error, Does.StartWith("kmm-preflight: standard input (-) can be read once"));
    }

    [Test]
    public async Task Malformed_manifest_is_exit_2_naming_the_file()
    {
        var file = Path.Combine(_dir, "broken.yaml");
        File.WriteAllText(file, "apiVersion: kmm.sigs.x-k8s.io/v1beta1\nkind: Module\nmetadata: [unclosed\n");

        AssertOneLineError(await Validate("--modules", file, "--kernel", Kernel), 2, "broken.yaml");
    }

    [Test]
    public async Task No_modules_in_the_input_is_exit_2()
    {
        var file = Path.Combine(_dir, "configmap.yaml");
        File.WriteAllText(file, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  dockerfile: FROM scratch\n");

        AssertOneLineError(await Validate("--modules", file, "--kernel", Kernel), 2, "no Module");
    }

    [Test]
    public async Task A_kernel_with_fewer_than_three_fields_is_exit_2()
        => AssertOneLineError(await Validate("--modules", _good, "--kernel", "6.1"), 2, "6.1");

    [Test]
    public async Task A_preflight_file_without_a_preflight_object_is_exit_2()
        => AssertOneLineError(await Validate("--modules", _good, "--preflight", _good), 2, "PreflightValidation");
}
