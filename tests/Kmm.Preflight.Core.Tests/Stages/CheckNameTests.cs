using Kmm.Preflight.Core.Stages;

namespace Kmm.Preflight.Core.Tests.Stages;

public class CheckNameTests
{
    [Test]
    public void Well_known_names_print_as_they_always_did()
    {
        var names = new[]
        {
            CheckName.Image, CheckName.ModuleFile, CheckName.Vermagic, CheckName.Signature, CheckName.ModulesDep, CheckName.Dependencies,
            CheckName.ModulesLoadingOrder, CheckName.FirmwarePath, CheckName.Build, CheckName.SignFile, CheckName.SigningKey,
            CheckName.InputImage, CheckName.FilesToSign, CheckName.ImageChecks, CheckName.Save, CheckName.Push,
        };

        Assert.That(names.Select(n => n.Value), Is.EqualTo(new[]
        {
            "image", "module-file", "vermagic", "signature", "modules.dep", "dependencies", "modulesLoadingOrder", "firmwarePath", "build",
            "sign-file", "signing-key", "input-image", "files-to-sign", "image-checks", "save", "push",
        }));
    }

    [Test]
    public void Result_of_a_typed_check_carries_its_text_and_type()
    {
        var result = new CheckResult(CheckName.ModulesDep, CheckOutcome.Passed, "listed");

        Assert.That(result.Name, Is.EqualTo("modules.dep"));
        Assert.That(result.Check, Is.EqualTo(CheckName.ModulesDep));
        Assert.That(new CheckResult("my-check", CheckOutcome.Passed, "x").Check, Is.EqualTo(new CheckName("my-check")));
    }
}
