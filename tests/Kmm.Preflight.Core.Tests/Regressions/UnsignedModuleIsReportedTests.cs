using System.Buffers.Binary;
using System.Text;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Stages.Image;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Core.Tests.Stages;

namespace Kmm.Preflight.Core.Tests.Regressions;

/// <summary>
/// Bug: the status reason of a verified unsigned module said nothing about signing (a signed one says
/// "signed by …"), so a user of the CLI could not tell "not signed" from "not checked". Section 4 asks to report
/// whether the module is signed.
/// </summary>
public sealed class UnsignedModuleIsReportedTests
{
    private const string Image = "reg.example/mods/veth:6.1.0-56-amd64";

    [Test]
    public async Task ReasonOfAVerifiedUnsignedModuleSaysItIsNotSigned()
    {
        var opener = new InMemoryImageOpener();
        var image = opener.Add(Image);
        var files = new Dictionary<string, byte[]> { ["extra/veth.ko"] = Unsigned(CoreTestData.Module("veth")) };
        var kernelDir = "/opt/lib/modules/" + CoreTestData.Kernel + "/";
        image.File(kernelDir + "extra/veth.ko", files["extra/veth.ko"]);
        image.File(kernelDir + "modules.dep", DepmodTree.Run(CoreTestData.Kernel, files).Text);
        var context = StageTestContext.Context(StageTestContext.Mapping(new ModprobeSpec { ModuleName = "veth", DirName = "/opt" }, image: Image), opener) with { InputImage = Image };

        var result = await new ImageStage(new ImageStageOptions()).ValidateAsync(context);

        Assert.That(result.Verified, Is.True, result.Reason);
        Assert.That(result.Reason, Does.Contain("; not signed; nothing to do"));
        Assert.That(result.Reason, Does.Not.Contain("signed by"));
    }

    private static byte[] Unsigned(byte[] module)
    {
        var marker = Encoding.ASCII.GetBytes("~Module signature appended~\n");
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(module.AsSpan(module.Length - marker.Length - 4, 4));
        return module[..(module.Length - marker.Length - 12 - length)];
    }
}
