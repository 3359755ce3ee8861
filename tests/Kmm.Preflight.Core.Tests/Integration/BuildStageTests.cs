using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Stages.Build;
using Kmm.Preflight.Core.Stages.Image;
using Kmm.Preflight.Core.Stages.Sign;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Engines;
using Kmm.Preflight.Testing.Registry;
using Kmm.Preflight.Testing.Signing;

namespace Kmm.Preflight.Core.Tests.Integration;

/// <summary>
/// The Build stage against real engines the tests start (dockerd with BuildKit, podman's compatibility service),
/// base images in real registries (one anonymous, one needing credentials), real modules installed by real
/// Dockerfiles, and the result checked, pushed and read back by our own client.
/// </summary>
[TestFixture(EngineKind.Docker)]
[TestFixture(EngineKind.Podman)]
[NonParallelizable]
public class BuildStageTests(EngineKind kind)
{
    private const string Kernel = CoreTestData.Kernel;
    private const string SecretValue = "s3cret-token-7f2a9c";
    private EngineProcess _engine = null!;
    private RegistryProcess _registry = null!;
    private RegistryProcess _private = null!;
    private string _repo = null!;

    private string BaseImage => $"{_registry.Host}/{_repo}/base:1";

    private string PrivateBaseImage => $"{_private.Host}/{_repo}/base:1";

    [OneTimeSetUp]
    public async Task StartEngineAndPushBaseImages()
    {
        _engine = await EngineProcess.GetSharedOrIgnoreAsync(kind);
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        _private = await RegistryProcess.GetSharedAsync(RegistryMode.BasicAuth);
        _repo = $"kmm-build-{kind.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}"[..32];
        using var client = _registry.CreateClient();
        await BusyboxBaseImage.PushAsync(client, _registry.Reference($"{_repo}/base:1"));
        using var privateClient = _private.CreateClient();
        await BusyboxBaseImage.PushAsync(privateClient, _private.Reference($"{_repo}/base:1"));
    }

    private static string Install(string kernel = "${KERNEL_VERSION}") =>
        $"RUN mkdir -p /opt/lib/modules/{kernel}/extra && cp /src/dummy.ko /opt/lib/modules/{kernel}/extra/ && depmod -b /opt {kernel}";

    private string Module(string name, string dockerfile, string ns = "default", string buildExtra = "", string specExtra = "", string extraObjects = "")
    {
        var indented = string.Join("\n", dockerfile.Split('\n').Select(l => "    " + l));
        return $$"""
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata: {name: {{name}}, namespace: {{ns}}}
            spec:
            {{specExtra}}
              moduleLoader:
                container:
                  modprobe: {moduleName: dummy}
                  kernelMappings:
                    - regexp: '^6\.1\.'
                      containerImage: {{_registry.Host}}/{{_repo}}/{{name}}:${KERNEL_FULL_VERSION}
                      registryTLS: {insecure: true}
                      build:
                        dockerfileConfigMap: {name: {{name}}-dockerfile}
                        baseImageRegistryTLS: {insecure: true}
            {{buildExtra}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: {{name}}-dockerfile, namespace: {{ns}}}
            data:
              dockerfile: |
            {{indented}}
            ---
            {{extraObjects}}

            """;
    }

    private async Task<(ModuleResult Result, RegistryTestPublisher Publisher)> Validate(string yaml, bool push)
    {
        using var client = _registry.CreateClient();
        var publisher = new RegistryTestPublisher(client);
        var pipeline = new ValidationPipelineBuilder()
            .AddImageStage(new ImageStageOptions())
            .AddBuildStage(new BuildStageOptions { EngineHost = _engine.Host })
            .AddSignStage(new SignStageOptions())
            .Build();
        var validator = new PreflightValidator(new PreflightValidatorOptions
        {
            Pipeline = pipeline,
            Publisher = publisher,
            Registry = new RegistryClientOptions
            {
                Hosts = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase)
                {
                    [_registry.Host] = new RegistryHostSettings(Insecure: true),
                    [_private.Host] = new RegistryHostSettings(Insecure: true),
                },
                RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            },
        });
        var objects = new ManifestLoader().Parse(yaml, "modules.yaml");
        var report = await validator.ValidateAsync(objects, PreflightTarget.ForKernel(Kernel, pushBuiltImage: push));
        return (report.Results.Single(), publisher);
    }

    private async Task<bool> InRegistry(string name)
    {
        using var client = _registry.CreateClient();
        try
        {
            await client.GetManifestAsync(_registry.Reference($"{_repo}/{name}:{Kernel}"));
            return true;
        }
        catch (RegistryNotFoundException)
        {
            return false;
        }
    }

    [Test]
    public async Task A_build_that_passes_is_pushed_and_the_next_validate_passes_at_the_Image_stage()
    {
        var yaml = Module("pushed", $"FROM {BaseImage}\nARG KERNEL_VERSION\n{Install()}");
        var (result, publisher) = await Validate(yaml, push: true);

        Assert.That(result.Status.Verified, Is.True, result.Status.StatusReason);
        Assert.That(result.DecidedBy, Is.EqualTo(VerificationStage.Build));
        Assert.That(result.Status.StatusReason, Does.Contain($"module dummy found at /opt/lib/modules/{Kernel}/extra/dummy.ko").And.Contain($"pushed to {_registry.Host}/{_repo}/pushed:{Kernel}@sha256:"));
        Assert.That(publisher.Pushed, Has.Count.EqualTo(1));

        var (again, _) = await Validate(yaml, push: true);
        Assert.That(again.Status.Verified, Is.True, again.Status.StatusReason);
        Assert.That(again.DecidedBy, Is.EqualTo(VerificationStage.Image), "the pushed image is found, so no second build");
    }

    [Test]
    public async Task A_build_that_passes_without_pushBuiltImage_is_True_and_nothing_is_pushed()
    {
        var (result, publisher) = await Validate(Module("unpushed", $"FROM {BaseImage}\nARG KERNEL_VERSION\n{Install()}"), push: false);

        Assert.That(result.Status.Verified, Is.True, result.Status.StatusReason);
        Assert.That(result.Status.StatusReason, Does.EndWith("listed in modules.dep; signed by 'Build time autogenerated kernel key' (sha256); not pushed (pushBuiltImage is false)"));
        Assert.That(publisher.Pushed, Is.Empty);
        Assert.That(await InRegistry("unpushed"), Is.False);
        Assert.That(result.StageResults.Single(r => r.Stage == VerificationStage.Build).ProducedImage, Is.Null, "without sign the built image is not handed on, and its archive is gone");
    }

    [Test]
    public async Task A_failing_RUN_names_the_step_and_the_exit_code()
    {
        var dockerfile = $"FROM {BaseImage}\nRUN echo preparing the build\nRUN echo compiling dummy.c && echo 'dummy.c:12: error: expected ;' && exit 3";
        var (result, publisher) = await Validate(Module("failing", dockerfile), push: true);

        Assert.That(result.Status.Verified, Is.False);
        Assert.That(result.DecidedBy, Is.EqualTo(VerificationStage.Build));
        Assert.That(result.Status.StatusReason, Does.Contain("RUN echo compiling dummy.c").And.Contain("with exit code 3").And.Contain("dummy.c:12: error: expected ;"));
        Assert.That(result.Status.StatusReason, Does.EndWith("nothing was pushed"));
        Assert.That(publisher.Pushed, Is.Empty);
    }

    [Test]
    public async Task A_module_in_the_wrong_kernel_directory_fails_with_the_Image_reason_and_nothing_is_pushed()
    {
        var (result, publisher) = await Validate(Module("wrongdir", $"FROM {BaseImage}\n{Install("6.0.0-19-amd64")}"), push: true);

        Assert.That(result.Status.Verified, Is.False);
        Assert.That(result.Status.StatusReason, Does.Contain($"module dummy.ko (dirName /opt) not found under /opt/lib/modules/{Kernel}/"));
        Assert.That(result.Status.StatusReason, Does.EndWith("nothing was pushed"));
        Assert.That(publisher.Pushed, Is.Empty);
        Assert.That(await InRegistry("wrongdir"), Is.False);
    }

    [Test]
    public async Task Depmod_without_a_kernel_version_indexes_the_build_host_and_fails()
    {
        var dockerfile = $"FROM {BaseImage}\nARG KERNEL_VERSION\nRUN mkdir -p /opt/lib/modules/$KERNEL_VERSION/extra /opt/lib/modules/$(uname -r) && cp /src/dummy.ko /opt/lib/modules/$KERNEL_VERSION/extra/ && depmod -b /opt";
        var (result, _) = await Validate(Module("nodepversion", dockerfile), push: false);

        Assert.That(result.Status.Verified, Is.False);
        Assert.That(result.Status.StatusReason, Does.Contain($"modules.dep missing in /opt/lib/modules/{Kernel}/"));
    }

    [Test]
    public async Task A_multi_stage_Dockerfile_with_ARG_before_FROM_builds()
    {
        var dockerfile = $"""
            ARG BASE={BaseImage}
            FROM ${"{BASE}"} AS builder
            ARG KERNEL_VERSION
            RUN mkdir -p /build && cp /src/dummy.ko /build/ && echo built for $KERNEL_VERSION
            FROM builder AS unused
            FROM $BASE
            ARG KERNEL_VERSION
            COPY --from=builder /build/dummy.ko /opt/lib/modules/${"{KERNEL_VERSION}"}/extra/dummy.ko
            RUN depmod -b /opt ${"{KERNEL_VERSION}"}
            """;
        var (result, _) = await Validate(Module("multistage", dockerfile), push: false);

        Assert.That(result.Status.Verified, Is.True, result.Status.StatusReason);
    }

    [Test]
    public async Task A_build_secret_reaches_RUN_and_is_in_no_layer_history_or_build_argument()
    {
        var dockerfile = $"""
            FROM {BaseImage}
            ARG KERNEL_VERSION
            RUN wc -c < /run/secrets/signing/token > /token-length && test -f /run/secrets/other/key.pem
            RUN --mount=type=tmpfs,target=/scratch cp /run/secrets/signing/token /scratch/ && \
                {Install()["RUN ".Length..]}
            """;
        var secrets = $"""
            apiVersion: v1
            kind: Secret
            metadata: {"{name: signing, namespace: secrets}"}
            stringData: {"{token: " + SecretValue + "}"}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {"{name: other, namespace: secrets}"}
            stringData: {"{key.pem: other-secret-value}"}
            """;
        var yaml = Module("secret", dockerfile, ns: "secrets", buildExtra: "            secrets: [{name: signing}, {name: other}]", extraObjects: secrets);
        var (result, publisher) = await Validate(yaml, push: true);

        Assert.That(result.Status.Verified, Is.True, result.Status.StatusReason);
        Assert.That(publisher.Pushed, Has.Count.EqualTo(1));

        // What left the machine: every layer and the config (history, build arguments) of the pushed image.
        using var client = _registry.CreateClient();
        var pushed = await new RegistryImageSource(client, _registry.Reference($"{_repo}/secret:{Kernel}")).ResolveAsync(Oci.Manifests.Platform.Default);
        var config = Encoding.UTF8.GetString((await pushed.Config.ReadBytesAsync()).Span);
        Assert.That(config, Does.Not.Contain(SecretValue).And.Not.Contain("other-secret-value"));
        if (kind == EngineKind.Docker)
        {
            // BuildKit records RUN without its mounts; buildah (podman) records the --mount flags (names, never values).
            Assert.That(config, Does.Not.Contain("kmm-preflight-secrets"));
        }

        Assert.That(config, Does.Contain("KERNEL_VERSION"), "the config's history does record build arguments, so the check above means something");
        var lengthFiles = new List<string>();
        foreach (var layer in pushed.Layers)
        {
            foreach (var (name, type, content) in await Entries(layer))
            {
                if (name.TrimStart('.', '/') == "token-length")
                {
                    lengthFiles.Add(Encoding.UTF8.GetString(content).Trim());
                }

                // BuildKit leaves the mount point's parent, an empty run/secrets/ directory; never a file of a secret.
                Assert.That(name, Does.Not.Contain("kmm-preflight-secrets"), $"layer {layer.Descriptor.Digest}");
                Assert.That(type is TarEntryType.Directory || !name.Contains("run/secrets", StringComparison.Ordinal), Is.True, $"{name} in layer {layer.Descriptor.Digest}");
                Assert.That(Encoding.UTF8.GetString(content), Does.Not.Contain(SecretValue).And.Not.Contain("other-secret-value"), $"{name} in layer {layer.Descriptor.Digest}");
            }
        }

        Assert.That(lengthFiles, Is.EqualTo(new[] { SecretValue.Length.ToString() }), "the RUN step read the secret's value");
    }

    [Test]
    public async Task A_missing_build_secret_fails_before_anything_is_built()
    {
        var yaml = Module("nosecret", $"FROM {BaseImage}\n{Install()}", buildExtra: "            secrets: [{name: absent}]");
        var (result, _) = await Validate(yaml, push: false);

        Assert.That(result.Status.StatusReason, Does.StartWith("build secret absent of Module default/nosecret was not found in namespace default"));
    }

    [Test]
    public async Task A_COPY_of_the_whole_context_is_refused_when_there_are_secrets()
    {
        var yaml = Module("copyall", $"FROM {BaseImage}\nCOPY . /ctx\n{Install()}", ns: "copy", buildExtra: "            secrets: [{name: s}]",
            extraObjects: "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: copy}\nstringData: {k: v}\n");
        var (result, _) = await Validate(yaml, push: false);

        Assert.That(result.Status.Verified, Is.False);
        Assert.That(result.Status.StatusReason, Does.Contain("line 2: COPY . copies from the whole build context"));
    }

    [Test]
    public async Task A_private_base_image_is_pulled_with_the_module_pull_secret()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_private.Username}:{_private.Password}"));
        var dockerConfig = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"auths\":{{\"{_private.Host}\":{{\"auth\":\"{auth}\"}}}}}}"));
        var pullSecret = $"apiVersion: v1\nkind: Secret\nmetadata: {{name: pull, namespace: private}}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {dockerConfig}\n";
        var dockerfile = $"FROM {PrivateBaseImage}\nARG KERNEL_VERSION\n{Install()}";

        var (withSecret, _) = await Validate(Module("private", dockerfile, ns: "private", specExtra: "  imageRepoSecret: {name: pull}", extraObjects: pullSecret), push: false);
        Assert.That(withSecret.Status.Verified, Is.True, withSecret.Status.StatusReason);

        var (without, _) = await Validate(Module("private", dockerfile, ns: "nopull"), push: false);
        Assert.That(without.Status.Verified, Is.False);
        Assert.That(without.Status.StatusReason, Does.StartWith("could not pull a base image of the Dockerfile in ConfigMap nopull/private-dockerfile"));
    }

    [Test]
    public async Task With_sign_the_built_image_is_signed_and_only_the_signed_image_is_pushed()
    {
        var key = TestSigningKeys.Rsa2048;
        var certificate = string.Join('\n', Encoding.ASCII.GetString(key.Certificate).TrimEnd().Split('\n').Select(l => "    " + l));
        var keys = $"""
            apiVersion: v1
            kind: Secret
            metadata: {"{name: signing-key, namespace: buildsign}"}
            data: {"{key: " + Convert.ToBase64String(key.Key) + "}"}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {"{name: signing-cert, namespace: buildsign}"}
            stringData:
              cert: |
            {certificate}
            """;
        var sign = string.Join('\n',
            "          sign:",
            $"            unsignedImage: {_registry.Host}/{_repo}/buildsign:${{KERNEL_FULL_VERSION}}",
            "            unsignedImageRegistryTLS: {insecure: true}",
            "            keySecret: {name: signing-key}",
            "            certSecret: {name: signing-cert}",
            "            filesToSign: [\"/opt/lib/modules/${KERNEL_FULL_VERSION}/extra/dummy.ko\"]");
        var yaml = Module("buildsign", $"FROM {BaseImage}\nARG KERNEL_VERSION\n{Install()}", ns: "buildsign", buildExtra: sign, extraObjects: keys);
        var (result, publisher) = await Validate(yaml, push: true);

        Assert.That(result.Status.Verified, Is.True, result.Status.StatusReason);
        Assert.That(result.DecidedBy, Is.EqualTo(VerificationStage.Sign));
        var build = result.StageResults.Single(r => r.Stage == VerificationStage.Build);
        Assert.That(build.Reason, Does.EndWith("handed to the Sign stage"));
        Assert.That(publisher.Pushed.Select(p => p.Reference), Is.EqualTo(new[] { $"{_registry.Host}/{_repo}/buildsign:{Kernel}" }), "one push: the signed image");

        var (again, _) = await Validate(yaml, push: true);
        Assert.That(again.DecidedBy, Is.EqualTo(VerificationStage.Image), again.Status.StatusReason);
        Assert.That(again.Status.StatusReason, Does.Contain($"signed by '{key.Subject}'"));
    }

    private static async Task<List<(string Name, TarEntryType Type, byte[] Content)>> Entries(Oci.Layers.ILayer layer)
    {
        await using var blob = await layer.OpenAsync();
        using var buffer = new MemoryStream();
        await blob.CopyToAsync(buffer);
        buffer.Position = 0;
        Stream tar = buffer.Length > 2 && buffer.GetBuffer()[0] == 0x1f && buffer.GetBuffer()[1] == 0x8b ? new GZipStream(buffer, CompressionMode.Decompress) : buffer;
        var entries = new List<(string, TarEntryType, byte[])>();
        using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            using var content = new MemoryStream();
            if (entry.DataStream is not null)
            {
                await entry.DataStream.CopyToAsync(content);
            }

            entries.Add((entry.Name, entry.EntryType, content.ToArray()));
        }

        return entries;
    }
}
