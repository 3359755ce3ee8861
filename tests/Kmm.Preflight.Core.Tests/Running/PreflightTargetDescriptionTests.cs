using System.Text;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Tests.Fixtures;

namespace Kmm.Preflight.Core.Tests.Running;

public class PreflightTargetDescriptionTests
{
    private const string Release = "quay.io/openshift-release-dev/ocp-release:4.14.0-x86_64";
    private const string Dtk = "quay.io/dtk@sha256:1111111111111111111111111111111111111111111111111111111111111111";

    [Test]
    public async Task Kernel_is_taken_as_given_and_push_forced()
    {
        var target = await new PreflightValidator().ResolveTargetAsync(PreflightTargetDescription.ForKernel("6.1.0-56-amd64") with { PushBuiltImage = true });

        Assert.That((target.Kernel.Full, target.PushBuiltImage, target.Kind), Is.EqualTo(("6.1.0-56-amd64", true, "PreflightValidation")));
    }

    [TestCase(false, false)]
    [TestCase(true, true)]
    public async Task PreflightValidation_keeps_its_fields_and_push_only_turns_it_on(bool push, bool expected)
    {
        var objects = ObjectSet.Empty with { PreflightValidations = [new PreflightValidation { Name = "pv", Namespace = "ns", KernelVersion = "6.1.0-56-amd64" }] };

        var target = await new PreflightValidator().ResolveTargetAsync(PreflightTargetDescription.FromObjects(objects, "pv.yaml") with { PushBuiltImage = push });

        Assert.That((target.Name, target.Namespace, target.PushBuiltImage), Is.EqualTo(("pv", "ns", expected)));
    }

    [Test]
    public void Objects_without_exactly_one_preflight_name_their_source()
    {
        var ex = Assert.ThrowsAsync<InvalidDataException>(() => new PreflightValidator().ResolveTargetAsync(PreflightTargetDescription.FromObjects(ObjectSet.Empty, "pv.yaml")));

        Assert.That(ex!.Message, Is.EqualTo("pv.yaml: expected one PreflightValidation or PreflightValidationOCP, found 0"));
    }

    [Test]
    public async Task Release_image_is_read_through_the_validators_opener()
    {
        var images = new InMemoryImageOpener();
        images.Add(Release).File("/release-manifests/image-references", Encoding.UTF8.GetBytes($$$"""
            {"kind": "ImageStream", "spec": {"tags": [{"name": "driver-toolkit", "from": {"kind": "DockerImage", "name": "{{{Dtk}}}"}}]}}
            """));
        images.Add(Dtk).File("/etc/driver-toolkit-release.json", """{"KERNEL_VERSION": "5.14.0-284.25.1.el9_2.x86_64"}"""u8.ToArray());

        var target = await new PreflightValidator(new PreflightValidatorOptions { ImageOpener = images }).ResolveTargetAsync(PreflightTargetDescription.ForReleaseImage(Release));

        Assert.That((target.Kernel.Full, target.DtkImage, target.Kind), Is.EqualTo(("5.14.0-284.25.1.el9_2.x86_64", Dtk, "PreflightValidationOCP")));
    }

    [Test]
    public void Every_problem_is_listed()
    {
        var ex = Assert.ThrowsAsync<ArgumentException>(() => new PreflightValidator().ResolveTargetAsync(new PreflightTargetDescription { Kernel = "6.1.0-56-amd64", Preflight = ObjectSet.Empty, UseRtKernel = true }));

        Assert.That(ex!.Message, Does.Contain("exactly one of Kernel, ReleaseImage or Preflight (got 2)").And.Contain("UseRtKernel needs ReleaseImage"));
    }
}
