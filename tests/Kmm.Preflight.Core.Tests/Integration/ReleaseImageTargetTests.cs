using System.Text;
using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Registry;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Core.Tests.Integration;

/// <summary>The OpenShift release image path against the real registry: image-references in a lower layer, the DTK by digest.</summary>
public class ReleaseImageTargetTests
{
    [Test]
    public async Task Kernel_comes_from_the_dtk_named_by_the_release_image()
    {
        var registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        var repo = "kmm-core-ocp-" + Guid.NewGuid().ToString("N")[..8];
        using var client = registry.CreateClient();
        var dtk = await TestImagePusher.PushImageAsync(client, registry.Reference($"{repo}/dtk:scratch"),
        [
            new LayerBuilder().WithParentDirectories().AddFile("etc/driver-toolkit-release.json",
                """{"KERNEL_VERSION": "5.14.0-284.25.1.el9_2.x86_64", "RT_KERNEL_VERSION": "5.14.0-284.25.1.rt14.310.el9_2.x86_64", "RHEL_VERSION": "9.2"}""").ToTestLayer(),
        ], dockerSchema2: true);
        var dtkByDigest = $"{registry.Host}/{repo}/dtk@{dtk.Digest}";
        var references = $$"""{"kind": "ImageStream", "apiVersion": "image.openshift.io/v1", "spec": {"tags": [{"name": "driver-toolkit", "from": {"kind": "DockerImage", "name": "{{dtkByDigest}}"} } ] } }""";

        // KMM read only the last layer; the payload file sits below another layer here.
        await TestImagePusher.PushImageAsync(client, registry.Reference($"{repo}/release:4.14"),
        [
            new LayerBuilder().WithParentDirectories().AddFile("release-manifests/image-references", Encoding.UTF8.GetBytes(references)).ToTestLayer(),
            new LayerBuilder().WithParentDirectories().AddFile("release-manifests/release-metadata", "{}").ToTestLayer(LayerCompression.Zstd),
        ]);

        using var pool = new RegistryClientPool(registry.CreateClientOptions());
        var resolver = new KernelTargetResolver(new ImageOpener(pool), Platform.Default);
        var validation = new PreflightValidationOcp { Name = "ocp", ReleaseImage = $"{registry.Host}/{repo}/release:4.14" };
        var target = await resolver.ResolveAsync(validation);
        Assert.That((target.Kernel.Full, target.DtkImage), Is.EqualTo(("5.14.0-284.25.1.el9_2.x86_64", dtkByDigest)));
        var rt = await resolver.ResolveAsync(validation with { UseRtKernel = true });
        Assert.That(rt.Kernel.Full, Is.EqualTo("5.14.0-284.25.1.rt14.310.el9_2.x86_64"));

        var missing = Assert.ThrowsAsync<ImageAccessException>(() => resolver.ResolveAsync(validation with { ReleaseImage = $"{registry.Host}/{repo}/release:absent" }));
        Assert.That(missing!.Failure, Is.EqualTo(ImageAccessFailure.NotFound));
    }
}
