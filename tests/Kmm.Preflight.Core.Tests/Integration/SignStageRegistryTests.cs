using System.Text;
using System.Text.RegularExpressions;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;
using Kmm.Preflight.Testing.Signing;

namespace Kmm.Preflight.Core.Tests.Integration;

/// <summary>
/// The Sign stage end to end against a real <c>docker-registry</c> of its own (so its log holds only this test's
/// requests): an unsigned image made from a real Debian module with its signature cut off, signed with keys openssl
/// made, judged by kmod's <c>modinfo</c> and <c>openssl cms -verify</c>, and pushed only with <c>pushBuiltImage</c>.
/// </summary>
[NonParallelizable]
public partial class SignStageRegistryTests
{
    private const string Kernel = CoreTestData.Kernel;
    private RegistryProcess _registry = null!;
    private string _repo = null!;
    private string _dir = null!;
    private byte[] _unsignedDummy = null!;

    [OneTimeSetUp]
    public async Task PushUnsignedImage()
    {
        _registry = await RegistryProcess.StartAsync(RegistryMode.PlainHttp);
        _repo = "kmm-sign-" + Guid.NewGuid().ToString("N")[..8];
        _dir = Directory.CreateTempSubdirectory("kmm-sign-stage-").FullName;
        _unsignedDummy = SignedModuleParts.Of(CoreTestData.Module("dummy")).Content;
        var unsignedVeth = SignedModuleParts.Of(CoreTestData.Module("veth")).Content;
        using var client = _registry.CreateClient();
        await TestImagePusher.PushImageAsync(client, _registry.Reference($"{_repo}/unsigned:{Kernel}"),
        [
            ModuleImageLayers.Base().ToTestLayer(),
            ModuleImageLayers.Modules(new() { ["extra/dummy.ko"] = _unsignedDummy, ["extra/veth.ko.xz"] = Tool.Compress(unsignedVeth, "xz") }).ToTestLayer(),
        ]);
    }

    [OneTimeTearDown]
    public async Task StopRegistry()
    {
        await _registry.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string Image(string tag) => $"{_registry.Host}/{_repo}/{tag}";

    private string Objects(string name, string moduleName, string signedTag, TestSigningKey key, TestSigningKey cert, string filesToSign) => $$"""
        apiVersion: v1
        kind: Secret
        metadata: {name: signing-key, namespace: sign}
        type: Opaque
        data:
          key: {{Convert.ToBase64String(key.Key)}}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: signing-cert, namespace: sign}
        stringData:
          cert: |
        {{string.Join('\n', Encoding.ASCII.GetString(cert.Certificate).TrimEnd().Split('\n').Select(l => "    " + l))}}
        ---
        apiVersion: kmm.sigs.x-k8s.io/v1beta1
        kind: Module
        metadata: {name: {{name}}, namespace: sign}
        spec:
          moduleLoader:
            container:
              modprobe: {moduleName: {{moduleName}}}
              kernelMappings:
                - regexp: '^.+$'
                  containerImage: "{{Image(signedTag)}}"
                  registryTLS: {insecure: true}
                  sign:
                    unsignedImage: "{{Image("unsigned:${KERNEL_FULL_VERSION}")}}"
                    unsignedImageRegistryTLS: {insecure: true}
                    keySecret: {name: signing-key}
                    certSecret: {name: signing-cert}
                    filesToSign: [{{filesToSign}}]
        """;

    private async Task<ModuleResult> Validate(string yaml, bool push, string? saveImages = null)
    {
        var objects = new ManifestLoader().Parse(yaml, "sign.yaml");
        var validator = new PreflightValidator(new PreflightValidatorOptions
        {
            Registry = new RegistryClientOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(50) },
            SaveImagesDirectory = saveImages,
        });
        var report = await validator.ValidateAsync(objects, PreflightTarget.ForKernel(Kernel, pushBuiltImage: push));
        return report.Results.Single();
    }

    private async Task<bool> TagExists(string tag)
    {
        using var client = _registry.CreateClient();
        try
        {
            await new RegistryImageSource(client, _registry.Reference($"{_repo}/{tag}")).ResolveAsync(Platform.Default);
            return true;
        }
        catch (ImageNotFoundException)
        {
            return false;
        }
    }

    private async Task<byte[]> ReadFromRegistry(string tag, string path)
    {
        using var client = _registry.CreateClient();
        var image = await new RegistryImageSource(client, _registry.Reference($"{_repo}/{tag}")).ResolveAsync(Platform.Default);
        return await new ImageFileSystem(image).ReadAllBytesAsync(path);
    }

    // docker-registry logs each finished request; a blob upload ends with a PUT to /blobs/uploads/…?digest=….
    private int BlobUploadsCompleted() => _registry.RecentLog.Count(l => BlobPut().IsMatch(l));

    [GeneratedRegex(@"http\.request\.method=PUT .*http\.request\.uri=""/v2/[^""]*/blobs/uploads/[^""]*digest=")]
    private static partial Regex BlobPut();

    private static void AssertSignedBy(byte[] module, TestSigningKey key, string file)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kmm-signed-{Guid.NewGuid():N}-{file}");
        File.WriteAllBytes(path, module);
        try
        {
            Assert.That(SigningTools.Run("modinfo", "-F", "signer", path).Trim(), Is.EqualTo(key.Subject), "modinfo's signer");
            Assert.That(SigningTools.Run("modinfo", "-F", "sig_hashalgo", path).Trim(), Is.EqualTo("sha256"), "modinfo's hash");
        }
        finally
        {
            File.Delete(path);
        }

        if (!file.EndsWith(".xz", StringComparison.Ordinal))
        {
            var (exitCode, error) = SignedModuleParts.Of(module).VerifyWithOpenSsl(key.CertificatePath);
            Assert.That(exitCode, Is.Zero, $"openssl cms -verify: {error}");
        }
    }

    [Test]
    public async Task Signs_pushes_only_the_new_layer_and_the_pushed_module_verifies()
    {
        SigningTools.Require("openssl");
        var key = TestSigningKeys.Rsa2048;
        var before = BlobUploadsCompleted();
        var result = await Validate(Objects("dummy", "dummy", $"signed:{Kernel}", key, key, $"\"/opt/lib/modules/${{KERNEL_FULL_VERSION}}/extra/dumm?.ko\""), push: true);

        Assert.That((result.Status.VerificationStatus, result.DecidedBy), Is.EqualTo(("True", VerificationStage.Sign)), result.Status.StatusReason);
        Assert.That(result.Status.StatusReason, Does.Contain($"signed /opt/lib/modules/{Kernel}/extra/dummy.ko of image {Image($"unsigned:{Kernel}")} with '{key.Subject}' (sha256)")
            .And.Contain($"pushed to {Image($"signed:{Kernel}")}@sha256:"));
        // Only the layer of signed files and the new config were uploaded: the base layers were there already.
        Assert.That(BlobUploadsCompleted() - before, Is.EqualTo(2), string.Join('\n', _registry.RecentLog.TakeLast(30)));

        var pushed = await ReadFromRegistry($"signed:{Kernel}", $"/opt/lib/modules/{Kernel}/extra/dummy.ko");
        AssertSignedBy(pushed, key, "dummy.ko");
        Assert.That(SignedModuleParts.Of(pushed).Content, Is.EqualTo(_unsignedDummy), "the module bytes under the signature are the unsigned ones");

        // The next run finds the signed image and passes at the Image stage, reporting the new signer.
        var again = await Validate(Objects("dummy", "dummy", $"signed:{Kernel}", key, key, "\"/nothing/*.ko\""), push: false);
        Assert.That((again.Status.VerificationStatus, again.DecidedBy), Is.EqualTo(("True", VerificationStage.Image)), again.Status.StatusReason);
        Assert.That(again.Status.StatusReason, Does.Contain($"signed by '{key.Subject}'"));
    }

    [Test]
    public async Task Signs_a_compressed_module_in_its_own_format_with_an_ecdsa_key()
    {
        var key = TestSigningKeys.EcP256;
        var result = await Validate(Objects("veth", "veth", $"signed-xz:{Kernel}", key, key, $"\"/opt/lib/modules/{Kernel}/extra/veth.ko.xz\""), push: true);

        Assert.That((result.Status.VerificationStatus, result.DecidedBy), Is.EqualTo(("True", VerificationStage.Sign)), result.Status.StatusReason);
        var pushed = await ReadFromRegistry($"signed-xz:{Kernel}", $"/opt/lib/modules/{Kernel}/extra/veth.ko.xz");
        Assert.That(pushed.AsSpan(0, 6).ToArray(), Is.EqualTo(new byte[] { 0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0 }), "still xz");
        AssertSignedBy(pushed, key, "veth.ko.xz");
    }

    [Test]
    public async Task Without_push_it_is_verified_and_nothing_is_written_to_the_registry_but_it_can_be_saved()
    {
        var key = TestSigningKeys.Rsa4096;
        var before = BlobUploadsCompleted();
        var layout = Path.Combine(_dir, "saved");
        var result = await Validate(Objects("dummy", "dummy", $"unpushed:{Kernel}", key, key, "\"/opt/lib/modules/*/extra/*.ko\""), push: false, saveImages: layout);

        Assert.That((result.Status.VerificationStatus, result.DecidedBy), Is.EqualTo(("True", VerificationStage.Sign)), result.Status.StatusReason);
        Assert.That(result.Status.StatusReason, Does.Contain("not pushed (pushBuiltImage is false)").And.Contain($"saved as oci:{layout}:"));
        Assert.That(BlobUploadsCompleted(), Is.EqualTo(before), "no blob was uploaded");
        Assert.That(await TagExists($"unpushed:{Kernel}"), Is.False);

        // The saved layout is a real OCI layout: skopeo reads it, and its module is signed by the key.
        var inspect = await Skopeo.RunAsync(["inspect", "--raw", $"oci:{layout}:{Image($"unpushed:{Kernel}")}"]);
        Assert.That(inspect, Does.Contain("application/vnd.oci.image.manifest.v1+json"));
        var saved = await new ImageSourceFactory(_registry.CreateClient()).Open($"oci:{layout}:{Image($"unpushed:{Kernel}")}").ResolveAsync(Platform.Default);
        AssertSignedBy(await new ImageFileSystem(saved).ReadAllBytesAsync($"/opt/lib/modules/{Kernel}/extra/dummy.ko"), key, "dummy.ko");
    }

    [Test]
    public async Task A_key_that_does_not_match_the_cert_fails_and_pushes_nothing()
    {
        var before = BlobUploadsCompleted();
        var result = await Validate(Objects("dummy", "dummy", $"wrong-key:{Kernel}", TestSigningKeys.Foreign, TestSigningKeys.Rsa2048, "\"/opt/lib/modules/*/extra/dummy.ko\""), push: true);

        Assert.That((result.Status.VerificationStatus, result.DecidedBy), Is.EqualTo(("False", VerificationStage.Sign)), result.Status.StatusReason);
        Assert.That(result.Status.StatusReason, Does.StartWith("the signing key of Secret signing-key and the certificate of Secret signing-cert cannot sign"));
        Assert.That(BlobUploadsCompleted(), Is.EqualTo(before));
        Assert.That(await TagExists($"wrong-key:{Kernel}"), Is.False);
    }

    [Test]
    public async Task A_pattern_that_matches_nothing_fails_and_pushes_nothing()
    {
        var key = TestSigningKeys.Rsa2048;
        var before = BlobUploadsCompleted();
        var result = await Validate(Objects("dummy", "dummy", $"no-match:{Kernel}", key, key, "\"/opt/lib/modules/*/extra/dummy.ko\", \"/opt/lib/modules/*/updates/kmm_ci_?.ko\""), push: true);

        Assert.That((result.Status.VerificationStatus, result.DecidedBy), Is.EqualTo(("False", VerificationStage.Sign)), result.Status.StatusReason);
        Assert.That(result.Status.StatusReason, Does.StartWith($"sign.filesToSign pattern /opt/lib/modules/*/updates/kmm_ci_?.ko matched no file in image {Image($"unsigned:{Kernel}")}"));
        Assert.That(BlobUploadsCompleted(), Is.EqualTo(before));
        Assert.That(await TagExists($"no-match:{Kernel}"), Is.False);
    }

    [Test]
    public async Task A_missing_secret_names_it()
    {
        var key = TestSigningKeys.Rsa2048;
        var yaml = Objects("dummy", "dummy", $"no-secret:{Kernel}", key, key, "\"/opt/x.ko\"").Replace("metadata: {name: signing-cert", "metadata: {name: other-cert", StringComparison.Ordinal);
        var result = await Validate(yaml, push: true);
        Assert.That(result.Status.StatusReason, Is.EqualTo("Secret signing-cert (sign.certSecret) was not found in namespace sign; add it to the input files (--resources)"));
    }

    [Test]
    public async Task A_signed_module_that_the_image_checks_reject_is_not_pushed()
    {
        // The module is signed, but the Module names another module: the signed image fails the Image checks.
        var key = TestSigningKeys.Rsa2048;
        var result = await Validate(Objects("dummy", "tap", $"wrong-module:{Kernel}", key, key, "\"/opt/lib/modules/*/extra/dummy.ko\""), push: true);

        Assert.That((result.Status.VerificationStatus, result.DecidedBy), Is.EqualTo(("False", VerificationStage.Sign)), result.Status.StatusReason);
        Assert.That(result.Status.StatusReason, Does.StartWith($"the image signed from {Image($"unsigned:{Kernel}")} would not load the module, so nothing was pushed: module tap.ko"));
        Assert.That(await TagExists($"wrong-module:{Kernel}"), Is.False);
    }
}
