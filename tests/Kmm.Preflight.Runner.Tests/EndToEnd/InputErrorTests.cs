namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>Errors that need no image: malformed names and unreachable registries.</summary>
public class InputErrorTests : EndToEndTest
{
    [TestCase("inspect")]
    [TestCase("ls")]
    public async Task Malformed_reference_is_exit_2_with_one_line(string command)
        => AssertOneLineError(await CliRun.RunAsync(command, "Registry.Local/UPPER//case:tag"), 2, "invalid", "UPPER");

    [Test]
    public async Task Oci_name_without_a_path_is_exit_2()
        => AssertOneLineError(await CliRun.RunAsync("inspect", "oci:"), 2, "oci:");

    [Test]
    public async Task Unreachable_registry_is_one_line_naming_it()
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        var run = await RunAsync("inspect", "--insecure-registry", "127.0.0.1:1", "127.0.0.1:1/kmm/unreachable:1");

        AssertOneLineError(run, 1, "127.0.0.1:1");
        Assert.That(run.Error, Does.Contain("unreachable").Or.Contain("refused"));
    }
}
