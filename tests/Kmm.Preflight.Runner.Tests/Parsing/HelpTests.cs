namespace Kmm.Preflight.Runner.Tests.Parsing;

public class HelpTests
{
    [TestCase("validate", "--modules", "--kernel", "--preflight", "--output")]
    [TestCase("inspect", "--platform", "--auth-file", "--insecure-registry", "--ca-file")]
    [TestCase("ls", "--recursive", "--long", "--platform")]
    [TestCase("cat", "--platform", "--ca-file")]
    public async Task Command_help_lists_its_options_and_exits_0(string command, params string[] options)
    {
        var run = await CliRun.RunAsync(command, "--help");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        foreach (var option in options)
        {
            Assert.That(run.Out, Does.Contain(option), run.ToString());
        }
    }

    [Test]
    public async Task Root_help_lists_the_public_commands()
    {
        var run = await CliRun.RunAsync("--help");

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.Out, Does.Contain("validate").And.Contain("inspect").And.Contain("ls").And.Contain("cat"));
    }

    [Test]
    public async Task No_command_is_an_error_with_usage_hint()
    {
        var run = await CliRun.RunAsync("frobnicate");

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("frobnicate").And.Contain("--help"));
        Assert.That(run.Out, Is.Empty);
    }
}
