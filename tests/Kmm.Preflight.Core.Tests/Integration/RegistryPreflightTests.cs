using System.Text;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Core.Tests.Integration;

/// <summary>
/// The whole preflight against the real <c>docker-registry</c>: images built from the real modules (with depmod's
/// modules.dep) pushed with our client, validated through the real registry, layers and merged filesystem.
/// </summary>
[NonParallelizable]
public class RegistryPreflightTests
{
    private const string Kernel = CoreTestData.Kernel;
    private RegistryProcess _registry = null!;
    private RegistryProcess _private = null!;
    private string _repo = null!;
    private TestLayer _base = null!;

    [OneTimeSetUp]
    public async Task PushImages()
    {
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        _private = await RegistryProcess.GetSharedAsync(RegistryMode.BasicAuth);
        _repo = "kmm-core-" + Guid.NewGuid().ToString("N")[..8];
        _base = ModuleImageLayers.Base().ToTestLayer();
        var veth = CoreTestData.Module("veth");
        using var client = _registry.CreateClient();

        async Task Push(string tag, params TestLayer[] layers)
            => await TestImagePusher.PushImageAsync(client, _registry.Reference($"{_repo}/{tag}"), [_base, .. layers]);

        await Push($"found:{Kernel}", ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = veth }).ToTestLayer());
        await Push("whiteout",
            ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = veth }).ToTestLayer(),
            new LayerBuilder().AddWhiteout($"opt/lib/modules/{Kernel}/extra/veth.ko").ToTestLayer());
        await Push("subdir", ModuleImageLayers.Modules(new() { ["kernel/drivers/net/deep/er/veth.ko"] = veth }).ToTestLayer());
        await Push("xz", ModuleImageLayers.Modules(new() { ["extra/veth.ko.xz"] = Tool.Compress(veth, "xz") }).ToTestLayer());
        await Push("zst", ModuleImageLayers.Modules(new() { ["extra/veth.ko.zst"] = Tool.Compress(veth, "zst") }).ToTestLayer());
        await Push("dashes", ModuleImageLayers.Modules(new()
        {
            ["extra/net_failover.ko"] = CoreTestData.Module("net_failover"),
            ["extra/failover.ko"] = CoreTestData.Module("failover"),
        }).ToTestLayer());
        await Push("vermagic", ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = DepmodTree.WithVermagic(veth, Kernel, "6.0.0-19-amd64") }).ToTestLayer());
        await Push("nodep", ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = veth }, depmod: false).ToTestLayer());
        await Push("zstd-layers", ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = veth }).WithNameStyle(TarNameStyle.DotSlash).ToTestLayer(LayerCompression.Zstd));
        await Push("plain-tar", ModuleImageLayers.Modules(new() { ["updates/veth.ko"] = veth }).WithNameStyle(TarNameStyle.Slash).ToTestLayer(LayerCompression.None));
        await Push("rhel", new LayerBuilder().AddDirectory("usr/lib").AddSymlink("lib", "usr/lib").ToTestLayer(),
            ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = veth }, dirName: "/usr").ToTestLayer());

        await TestImagePusher.PushIndexAsync(client, _registry.Reference($"{_repo}/multi:{Kernel}"),
        [
            (Platform.Parse("linux/amd64"), [_base, ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = veth }).ToTestLayer()]),
            (Platform.Parse("linux/arm64"), [_base]),
        ]);

        await TestImagePusher.PushIndexAsync(client, _registry.Reference($"{_repo}/multi-docker:{Kernel}"),
        [
            (Platform.Parse("linux/arm64"), [_base]),
            (Platform.Parse("linux/amd64"), [_base, ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = veth }).ToTestLayer()]),
        ], dockerManifestList: true);

        using var privateClient = _private.CreateClient();
        await TestImagePusher.PushImageAsync(privateClient, _private.Reference($"{_repo}/private:{Kernel}"),
            [ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = veth }).ToTestLayer()]);
    }

    private string Image(string tag) => $"{_registry.Host}/{_repo}/{tag}";

    private static string Module(string name, string moduleName, string image, string ns = "default", string extraSpec = "", string extraModprobe = "", string mapping = "regexp: '^6\\.1\\.'") => $$"""
        apiVersion: kmm.sigs.x-k8s.io/v1beta1
        kind: Module
        metadata: {name: {{name}}, namespace: {{ns}}}
        spec:
        {{extraSpec}}
          moduleLoader:
            container:
              modprobe:
                moduleName: {{moduleName}}
        {{extraModprobe}}
              kernelMappings:
                - {{mapping}}
                  containerImage: {{image}}
                  registryTLS: {insecure: true}
        ---

        """;

    private async Task<PreflightReport> Run(string yaml, PreflightValidatorOptions? options = null)
    {
        var objects = new ManifestLoader().Parse(yaml, "modules.yaml");
        var validator = new PreflightValidator((options ?? new PreflightValidatorOptions()) with { Registry = RegistryOptions() });
        return await validator.ValidateAsync(objects, PreflightTarget.ForKernel(Kernel));
    }

    private RegistryClientOptions RegistryOptions() => new()
    {
        Hosts = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase) { [_private.Host] = new RegistryHostSettings(Insecure: true) },
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
    };

    private static ModuleResult Result(PreflightReport report, string name, string ns = "default")
        => report.Results.Single(r => r.Module.Name == name && r.Module.Namespace == ns);

    [Test]
    public async Task Many_modules_in_one_run()
    {
        var yaml = Module("found", "veth", Image("found:${KERNEL_FULL_VERSION}"))
            + Module("whiteout", "veth", Image("whiteout"))
            + Module("subdir", "veth", Image("subdir"))
            + Module("xz", "veth", Image("xz"))
            + Module("zst", "veth", Image("zst"))
            + Module("dashes", "net-failover", Image("dashes"))
            + Module("vermagic", "veth", Image("vermagic"))
            + Module("nodep", "veth", Image("nodep"))
            + Module("zstd-layers", "veth", Image("zstd-layers"))
            + Module("plain-tar", "veth", Image("plain-tar"))
            + Module("rhel", "veth", Image("rhel"), extraModprobe: "        dirName: /")
            + Module("multi", "veth", Image("multi:$KERNEL_FULL_VERSION"))
            + Module("multi-docker", "veth", Image("multi-docker:${KERNEL_FULL_VERSION}"))
            + Module("absent", "veth", Image("absent:1"))
            + Module("nomapping", "veth", Image("found"), mapping: "literal: 5.14.0-1.el9");
        var report = await Run(yaml);

        Assert.Multiple(() =>
        {
            foreach (var name in new[] { "found", "subdir", "xz", "zst", "dashes", "zstd-layers", "plain-tar", "rhel", "multi", "multi-docker" })
            {
                Assert.That(Result(report, name).Status.VerificationStatus, Is.EqualTo("True"), $"{name}: {Result(report, name).Status.StatusReason}");
            }

            Assert.That(Result(report, "whiteout").Status.StatusReason, Does.StartWith($"module veth.ko (dirName /opt) not found under /opt/lib/modules/{Kernel}/ in image {Image("whiteout")}"));
            Assert.That(Result(report, "vermagic").Status.StatusReason, Does.StartWith($"vermagic 6.0.0-19-amd64 of module /opt/lib/modules/{Kernel}/extra/veth.ko in image {Image("vermagic")}"));
            Assert.That(Result(report, "nodep").Status.StatusReason, Does.StartWith($"modules.dep missing in /opt/lib/modules/{Kernel}/ of image {Image("nodep")}").And.EndsWith($"run depmod -b /opt {Kernel} in the image build"));
            Assert.That(Result(report, "absent").Status.StatusReason, Does.StartWith($"image {Image("absent:1")} not found"));
            Assert.That(Result(report, "nomapping").Status.StatusReason, Does.StartWith("no kernel mapping of Module default/nomapping matches kernel"));
            Assert.That(report.Results.All(r => r.Status.VerificationStageText == "Done"), Is.True);
        });

        var found = Result(report, "found");
        Assert.That(found.Image!.Reference, Is.EqualTo(Image($"found:{Kernel}")));
        Assert.That(found.Image.Digest, Does.StartWith("sha256:"));
        Assert.That(found.Image.ModuleLayer, Does.StartWith("sha256:").And.Not.EqualTo(_base.Digest.ToString()));
        Assert.That(found.Image.Signature!.Signer, Is.EqualTo("Build time autogenerated kernel key"));
        // modprobe -d / looks in /lib/modules, which the image's lib -> usr/lib symlink sends to /usr/lib/modules.
        Assert.That(Result(report, "rhel").Image!.ModulePath, Does.EndWith($"lib/modules/{Kernel}/extra/veth.ko"));
        Assert.That(Result(report, "xz").Image!.ModulePath, Does.EndWith("veth.ko.xz"));
        Assert.That(Result(report, "dashes").Image!.ModulePath, Does.EndWith("net_failover.ko"));

        // The base layer is shared by every image above: one shared cache means it is streamed once for the whole run.
        Assert.That(report.LayerScans[_base.Digest.ToString()], Is.EqualTo(1));

        // Module files and modules.dep are kept during the index pass, so no layer is streamed a second time to read them.
        Assert.That(report.LayerScans.Where(p => p.Value != 1), Is.Empty);
        Assert.That(report.CompressedBytesRead, Is.GreaterThan(0));
    }

    [Test]
    public async Task Platform_is_chosen_from_the_index()
    {
        var yaml = Module("multi", "veth", Image("multi:$KERNEL_FULL_VERSION"));
        var arm = await Run(yaml, new PreflightValidatorOptions { Platform = Platform.Parse("linux/arm64") });
        Assert.That(arm.Results.Single().Status.StatusReason, Does.StartWith("module veth.ko (dirName /opt) not found under"));
        var s390 = await Run(yaml, new PreflightValidatorOptions { Platform = Platform.Parse("linux/s390x") });
        Assert.That(s390.Results.Single().Status.StatusReason, Does.StartWith($"image {Image($"multi:{Kernel}")} not found"));
    }

    [Test]
    public async Task Private_registry_needs_the_module_pull_secret()
    {
        var dockerConfig = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{{\"auths\":{{\"{_private.Host}\":{{\"auth\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_private.Username}:{_private.Password}"))}\"}}}}}}"));
        var image = $"{_private.Host}/{_repo}/private:${{KERNEL_FULL_VERSION}}";
        var yaml = Module("veth", "veth", image, ns: "with-secret", extraSpec: "  imageRepoSecret: {name: pull}")
            + Module("veth", "veth", image, ns: "without-secret")
            + Module("veth", "veth", image, ns: "wrong-namespace", extraSpec: "  imageRepoSecret: {name: pull}")
            + $"apiVersion: v1\nkind: Secret\nmetadata: {{name: pull, namespace: with-secret}}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {dockerConfig}\n";
        var report = await Run(yaml);
        Assert.Multiple(() =>
        {
            Assert.That(Result(report, "veth", "with-secret").Status.Verified, Is.True, Result(report, "veth", "with-secret").Status.StatusReason);
            Assert.That(Result(report, "veth", "without-secret").Status.StatusReason, Does.StartWith($"the registry refused access to image {_private.Host}/{_repo}/private:{Kernel}"));
            Assert.That(Result(report, "veth", "wrong-namespace").Status.StatusReason, Is.EqualTo("imageRepoSecret pull of Module wrong-namespace/veth was not found in namespace wrong-namespace; add the Secret to the input files or remove imageRepoSecret"));
        });
    }

    [Test]
    public async Task Same_module_name_in_two_namespaces_is_reported_separately()
    {
        var yaml = Module("veth", "veth", Image("found:$KERNEL_FULL_VERSION"), ns: "a") + Module("veth", "veth", Image("vermagic"), ns: "b");
        var report = await Run(yaml);
        Assert.That(report.ToDocument().Modules.Select(m => (m.Namespace, m.Name, m.VerificationStatus)),
            Is.EqualTo(new[] { ("a", "veth", "True"), ("b", "veth", "False") }));
    }

    [Test]
    public async Task A_shared_layer_cache_spans_runs()
    {
        var cache = new LayerIndexCache();
        var yaml = Module("found", "veth", Image("found:${KERNEL_FULL_VERSION}"));
        var first = await Run(yaml, new PreflightValidatorOptions { LayerCache = cache });
        var second = await Run(yaml, new PreflightValidatorOptions { LayerCache = cache });
        Assert.That(first.Results.Single().Status.Verified && second.Results.Single().Status.Verified, Is.True);
        Assert.That(first.LayerScans.Values.Sum(), Is.GreaterThan(0));
        Assert.That(second.LayerScans, Is.Empty, "every layer index came from the shared cache");
    }
}
