using System.Collections.Concurrent;
using System.Text;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Core.Tests.Fixtures;

namespace Kmm.Preflight.Core.Tests.Running;

public class PreflightValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 4, 30, 15, 123, TimeSpan.Zero);

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Collecting : IProgress<ModuleStatus>
    {
        public ConcurrentQueue<ModuleStatus> Items { get; } = new();

        public void Report(ModuleStatus value) => Items.Enqueue(value);
    }

    private static string ModuleYaml(string name, string ns, string moduleName, string image, string extraSpec = "") => $"""
        apiVersion: kmm.sigs.x-k8s.io/v1beta1
        kind: Module
        metadata: {"{"}name: {name}, namespace: {ns}{"}"}
        spec:
        {extraSpec}
          moduleLoader:
            container:
              modprobe: {"{"}moduleName: {moduleName}{"}"}
              kernelMappings:
                - regexp: '^6\.1\.'
                  containerImage: {image}
        ---

        """;

    private static InMemoryImageOpener OpenerWithVeth(string reference)
    {
        var opener = new InMemoryImageOpener();
        var files = new Dictionary<string, byte[]> { ["extra/veth.ko"] = CoreTestData.Module("veth") };
        var dep = DepmodTree.Run(CoreTestData.Kernel, files);
        opener.Add(reference)
            .File($"/opt/lib/modules/{CoreTestData.Kernel}/extra/veth.ko", files["extra/veth.ko"])
            .File($"/opt/lib/modules/{CoreTestData.Kernel}/modules.dep", dep.Text);
        return opener;
    }

    [Test]
    public async Task Validates_every_module_in_input_order_with_crd_status()
    {
        var objects = new ManifestLoader().Parse(
            ModuleYaml("veth", "a", "veth", "reg.example/veth:${KERNEL_FULL_VERSION}")
            + ModuleYaml("veth", "b", "veth", "reg.example/other:${KERNEL_FULL_VERSION}")
            + "apiVersion: kmm.sigs.x-k8s.io/v1beta1\nkind: Module\nmetadata: {name: empty, namespace: c}\nspec: {}\n",
            "in.yaml");
        var opener = OpenerWithVeth("reg.example/veth:6.1.0-56-amd64");
        var progress = new Collecting();
        var validator = new PreflightValidator(new PreflightValidatorOptions { ImageOpener = opener, TimeProvider = new FixedClock(), Progress = progress, Parallelism = 2 });
        var report = await validator.ValidateAsync(objects, PreflightTarget.ForKernel(CoreTestData.Kernel));

        Assert.That(report.Results.Select(r => (r.Status.Namespace, r.Status.Name, r.Status.VerificationStatus)), Is.EqualTo(new[]
        {
            ("a", "veth", "True"), ("b", "veth", "False"), ("c", "empty", "True"),
        }));
        Assert.That(report.Results.All(r => r.Status.Stage == VerificationStage.Done), Is.True);
        Assert.That(report.Results[0].Status.LastTransitionTimeText, Is.EqualTo("2026-11-24T04:30:15Z"));
        Assert.That(report.Results[1].Status.StatusReason, Does.StartWith("image reg.example/other:6.1.0-56-amd64 not found"));
        Assert.That(report.Results[2].Status.StatusReason, Is.EqualTo("Module c/empty has no moduleLoader: nothing to validate"));
        Assert.That(report.Results[2].DecidedBy, Is.Null);
        Assert.That(report.Results[0].DecidedBy, Is.EqualTo(VerificationStage.Image));
        Assert.That(report.Results[0].Image!.Digest, Is.EqualTo("sha256:" + new string('a', 64)));
        Assert.That(report.Results[0].Checks.Select(c => c.Name), Does.Contain("vermagic").And.Contain("signature"));
        Assert.That(report.AllVerified, Is.False);
        Assert.That(progress.Items.Count(s => s.Stage == VerificationStage.Image), Is.EqualTo(2));
        Assert.That(progress.Items.Count(s => s.Stage == VerificationStage.Done), Is.EqualTo(3));
    }

    [Test]
    public async Task No_matching_mapping_and_invalid_kernel()
    {
        var objects = new ManifestLoader().Parse(ModuleYaml("m", "n", "veth", "reg.example/veth:1"), "in.yaml");
        var report = await new PreflightValidator(new PreflightValidatorOptions { ImageOpener = new InMemoryImageOpener() })
            .ValidateAsync(objects, PreflightTarget.ForKernel("5.14.0-284.el9.x86_64"));
        Assert.That(report.Results.Single().Status.StatusReason, Is.EqualTo("no kernel mapping of Module n/m matches kernel 5.14.0-284.el9.x86_64; add a kernelMappings entry (literal or regexp) for it"));
        Assert.That(() => PreflightTarget.ForKernel("6.1"), Throws.InstanceOf<FormatException>().With.Message.Contains("at least three fields"));
    }

    [Test]
    public async Task Missing_pull_secret_is_a_status_not_an_anonymous_attempt()
    {
        var objects = new ManifestLoader().Parse(ModuleYaml("m", "n", "veth", "reg.example/veth:${KERNEL_FULL_VERSION}", "  imageRepoSecret: {name: pull}"), "in.yaml");
        var opener = OpenerWithVeth("reg.example/veth:6.1.0-56-amd64");
        var report = await new PreflightValidator(new PreflightValidatorOptions { ImageOpener = opener }).ValidateAsync(objects, PreflightTarget.ForKernel(CoreTestData.Kernel));
        Assert.That(report.Results.Single().Status.StatusReason, Is.EqualTo("imageRepoSecret pull of Module n/m was not found in namespace n; add the Secret to the input files or remove imageRepoSecret"));
        Assert.That(opener.Requests, Is.Empty);
    }

    [Test]
    public async Task Pull_secret_in_the_same_namespace_is_passed_to_the_image_request()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"auths\":{\"reg.example\":{\"auth\":\"" + Convert.ToBase64String("u:p"u8.ToArray()) + "\"}}}"));
        var objects = new ManifestLoader().Parse(
            ModuleYaml("m", "n", "veth", "reg.example/veth:${KERNEL_FULL_VERSION}", "  imageRepoSecret: {name: pull}")
            + $"apiVersion: v1\nkind: Secret\nmetadata: {{name: pull, namespace: n}}\ntype: kubernetes.io/dockerconfigjson\ndata: {{.dockerconfigjson: {auth}}}\n",
            "in.yaml");
        var opener = OpenerWithVeth("reg.example/veth:6.1.0-56-amd64");
        var report = await new PreflightValidator(new PreflightValidatorOptions { ImageOpener = opener }).ValidateAsync(objects, PreflightTarget.ForKernel(CoreTestData.Kernel));
        Assert.That(report.Results.Single().Status.Verified, Is.True, report.Results.Single().Status.StatusReason);
        var request = opener.Requests.Single();
        Assert.That(request.CredentialsKey, Is.EqualTo("secret:n/pull"));
        var credential = await request.Credentials!.GetAsync("reg.example");
        Assert.That((credential!.Username, credential.Password), Is.EqualTo(("u", "p")));
    }

    [Test]
    public async Task Status_document_has_the_crd_shape()
    {
        var objects = new ManifestLoader().Parse(ModuleYaml("veth", "a", "veth", "reg.example/veth:${KERNEL_FULL_VERSION}")
            + "apiVersion: kmm.sigs.x-k8s.io/v1beta2\nkind: PreflightValidation\nmetadata: {name: pv, namespace: kmm}\nspec: {kernelVersion: 6.1.0-56-amd64, pushBuiltImage: true}\n", "in.yaml");
        var target = PreflightTarget.From(objects.PreflightValidations.Single());
        var report = await new PreflightValidator(new PreflightValidatorOptions { ImageOpener = OpenerWithVeth("reg.example/veth:6.1.0-56-amd64"), TimeProvider = new FixedClock() })
            .ValidateAsync(objects, target);
        var tree = report.ToDocument().ToObjectTree();
        Assert.That(tree.Keys, Is.EqualTo(new[] { "apiVersion", "kind", "metadata", "spec", "status" }));
        Assert.That(tree["kind"], Is.EqualTo("PreflightValidation"));
        var metadata = (IReadOnlyDictionary<string, object?>)tree["metadata"]!;
        Assert.That((metadata["name"], metadata["namespace"]), Is.EqualTo(("pv", "kmm")));
        var spec = (IReadOnlyDictionary<string, object?>)tree["spec"]!;
        Assert.That((spec["kernelVersion"], spec["pushBuiltImage"]), Is.EqualTo(("6.1.0-56-amd64", true)));
        var modules = (IReadOnlyList<IReadOnlyDictionary<string, object?>>)((IReadOnlyDictionary<string, object?>)tree["status"]!)["modules"]!;
        Assert.That(modules.Single().Keys, Is.EqualTo(new[] { "name", "namespace", "verificationStatus", "verificationStage", "statusReason", "lastTransitionTime" }));
        Assert.That(modules.Single()["verificationStatus"], Is.EqualTo("True"));
        Assert.That(modules.Single()["verificationStage"], Is.EqualTo("Done"));
        Assert.That(modules.Single()["lastTransitionTime"], Is.EqualTo("2026-11-24T04:30:15Z"));
        var json = System.Text.Json.JsonSerializer.Serialize(tree);
        Assert.That(json, Does.StartWith("{\"apiVersion\":\"kmm.sigs.x-k8s.io/v1beta2\",\"kind\":\"PreflightValidation\""));
    }

    [Test]
    public void Options_are_validated_together()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PreflightValidator(new PreflightValidatorOptions { Parallelism = 0, MaxParallelLayers = 0 }));
        Assert.That(ex!.Message, Does.Contain("Parallelism must be between 1 and 256").And.Contain("MaxParallelLayers must be between 1 and 64"));
    }

    [Test]
    public void Content_filter_keeps_run_modules_and_dep_files_only()
    {
        var keep = ModuleContentFilter.Create(["net-failover", "veth"]);
        Assert.Multiple(() =>
        {
            Assert.That(keep("/opt/lib/modules/6.1.0-56-amd64/extra/net_failover.ko.xz", 1000), Is.True);
            Assert.That(keep("/usr/lib/modules/6.1.0-56-amd64/kernel/veth.ko", 1000), Is.True);
            Assert.That(keep("/opt/lib/modules/6.1.0-56-amd64/modules.dep", 1000), Is.True);
            Assert.That(keep("/opt/lib/modules/6.1.0-56-amd64/modules.dep.bin", 1000), Is.True);
            Assert.That(keep("/opt/lib/modules/6.1.0-56-amd64/kernel/dummy.ko", 1000), Is.False);
            Assert.That(keep("/opt/veth.ko", 1000), Is.False);
            Assert.That(keep("/opt/lib/modules/6.1.0-56-amd64/modules.alias", 1000), Is.False);
            Assert.That(keep("/opt/lib/modules/6.1.0-56-amd64/kernel/veth.ko", ModuleContentFilter.MaxRetainedBytes + 1), Is.False);
        });
    }
}
