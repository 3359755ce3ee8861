namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>Base of the tests that run the real commands against real images.</summary>
[Category("EndToEnd")]
public abstract class EndToEndTest
{
    /// <summary>Runs the command.</summary>
    private protected static Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(args);

    /// <summary>Asserts a failed run: the exit code, nothing on stdout, exactly one line on stderr containing each fragment.</summary>
    private protected static void AssertOneLineError(CliRun run, int exitCode, params string[] fragments)
    {
        Assert.That(run.ExitCode, Is.EqualTo(exitCode), run.ToString());
        Assert.That(run.Out, Is.Empty, run.ToString());
        var lines = run.Error.TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), run.ToString());
        Assert.That(lines[0], Does.StartWith("kmm-preflight: "));
        foreach (var fragment in fragments)
        {
            Assert.That(lines[0], Does.Contain(fragment), run.ToString());
        }
    }
}
