using System.Text;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Stages.Image;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Core.Tests.Stages;

namespace Kmm.Preflight.Core.Tests.Regressions;

/// <summary>
/// Bug: net_failover was reported verified although failover.ko, which modules.dep says it depends on, had been
/// deleted from the image (a whiteout in an upper layer). modprobe inserts the dependencies first and fails.
/// </summary>
public sealed class MissingDependencyFailsTests
{
    private const string Image = "reg.example/mods/nf:6.1.0-56-amd64";
    private static readonly string KernelDir = "/opt/lib/modules/" + CoreTestData.Kernel + "/";

    private static async Task<Kmm.Preflight.Core.Stages.StageResult> CheckAsync(bool withDependency)
    {
        var opener = new InMemoryImageOpener();
        var image = opener.Add(Image);
        image.File(KernelDir + "extra/net_failover.ko", CoreTestData.Module("net_failover"));
        if (withDependency)
        {
            image.File(KernelDir + "updates/failover.ko", CoreTestData.Module("failover"));
        }

        image.File(KernelDir + "modules.dep", Encoding.ASCII.GetBytes("extra/net_failover.ko: updates/failover.ko\nupdates/failover.ko:\n"));
        var context = StageTestContext.Context(StageTestContext.Mapping(new ModprobeSpec { ModuleName = "net_failover", DirName = "/opt" }, image: Image), opener) with { InputImage = Image };
        return await new ImageStage(new ImageStageOptions()).ValidateAsync(context);
    }

    [Test]
    public async Task ModuleWhoseDependencyIsMissingIsNotVerified()
    {
        var result = await CheckAsync(withDependency: false);

        Assert.That(result.Verified, Is.False);
        Assert.That(result.Reason, Does.Contain("depends on updates/failover.ko").And.Contain(KernelDir));
    }

    [Test]
    public async Task ModuleWithItsDependencyPresentIsVerified()
    {
        var result = await CheckAsync(withDependency: true);

        Assert.That(result.Verified, Is.True, result.Reason);
        Assert.That(result.Checks.Select(c => c.Name), Does.Contain("dependencies"));
    }
}
