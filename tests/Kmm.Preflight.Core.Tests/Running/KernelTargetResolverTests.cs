using System.Text;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Tests.Fixtures;

namespace Kmm.Preflight.Core.Tests.Running;

public class KernelTargetResolverTests
{
    private const string Release = "quay.io/openshift-release-dev/ocp-release:4.14.0-x86_64";
    private const string Dtk = "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private static InMemoryImageOpener Images(string dtkJson)
    {
        var opener = new InMemoryImageOpener();
        opener.Add(Release).File("/release-manifests/image-references", Encoding.UTF8.GetBytes($$$"""
            {"kind": "ImageStream", "apiVersion": "image.openshift.io/v1",
             "spec": {"tags": [
               {"name": "cli", "from": {"kind": "DockerImage", "name": "quay.io/cli@sha256:2222222222222222222222222222222222222222222222222222222222222222"}},
               {"name": "driver-toolkit", "from": {"kind": "DockerImage", "name": "{{{Dtk}}}"}}]}}
            """));
        opener.Add(Dtk).File("/etc/driver-toolkit-release.json", Encoding.UTF8.GetBytes(dtkJson));
        return opener;
    }

    [TestCase(false, "5.14.0-284.25.1.el9_2.x86_64")]
    [TestCase(true, "5.14.0-284.25.1.rt14.310.el9_2.x86_64")]
    public async Task Release_image_gives_the_dtk_and_its_kernel(bool rt, string kernel)
    {
        var images = Images("""{"KERNEL_VERSION": "5.14.0-284.25.1.el9_2.x86_64", "RT_KERNEL_VERSION": "5.14.0-284.25.1.rt14.310.el9_2.x86_64", "RHEL_VERSION": "9.2"}""");
        var target = await new KernelTargetResolver(images).ResolveAsync(new PreflightValidationOcp { Name = "p", ReleaseImage = Release, UseRtKernel = rt });
        Assert.That((target.Kernel.Full, target.DtkImage, target.Kind), Is.EqualTo((kernel, Dtk, "PreflightValidationOCP")));
        Assert.That(target.Spec["releaseImage"], Is.EqualTo(Release));
    }

    [Test]
    public async Task Missing_rt_kernel_is_a_clear_error()
    {
        var images = Images("""{"KERNEL_VERSION": "5.14.0-284.25.1.el9_2.aarch64"}""");
        var ex = Assert.ThrowsAsync<InvalidDataException>(() => new KernelTargetResolver(images).ResolveAsync(new PreflightValidationOcp { Name = "p", ReleaseImage = Release, UseRtKernel = true }));
        Assert.That(ex!.Message, Is.EqualTo($"/etc/driver-toolkit-release.json in driver-toolkit image {Dtk} has no RT_KERNEL_VERSION (the real-time kernel exists only on x86_64; use useRTKernel: false or an x86_64 release)"));
        await Task.CompletedTask;
    }

    [Test]
    public void Release_without_driver_toolkit_tag_or_file_is_a_clear_error()
    {
        var opener = new InMemoryImageOpener();
        opener.Add(Release).File("/release-manifests/image-references", """{"kind": "ImageStream", "spec": {"tags": []}}"""u8.ToArray());
        var ex = Assert.ThrowsAsync<InvalidDataException>(() => new KernelTargetResolver(opener).ResolveAsync(new PreflightValidationOcp { Name = "p", ReleaseImage = Release }));
        Assert.That(ex!.Message, Does.Contain("has no spec.tags entry named driver-toolkit"));

        var empty = new InMemoryImageOpener();
        empty.Add(Release).File("/other", [1]);
        ex = Assert.ThrowsAsync<InvalidDataException>(() => new KernelTargetResolver(empty).ResolveAsync(new PreflightValidationOcp { Name = "p", ReleaseImage = Release }));
        Assert.That(ex!.Message, Is.EqualTo($"image {Release} has no /release-manifests/image-references"));
    }

    [Test]
    public async Task Newer_shape_needs_no_image()
    {
        var opener = new InMemoryImageOpener();
        var target = await new KernelTargetResolver(opener).ResolveAsync(new PreflightValidationOcp { Name = "p", Namespace = "n", KernelVersion = "5.14.0-284.el9.x86_64", DtkImage = Dtk, PushBuiltImage = true });
        Assert.That((target.Kernel.Full, target.DtkImage, target.PushBuiltImage, target.Namespace), Is.EqualTo(("5.14.0-284.el9.x86_64", Dtk, true, "n")));
        Assert.That(opener.Requests, Is.Empty);
    }
}
