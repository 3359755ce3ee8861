using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>The real executable as a child process: help, exit codes and Ctrl+C (SIGINT).</summary>
[Category("EndToEnd")]
public class ChildProcessTests
{
    private static string Dll => Path.Combine(TestContext.CurrentContext.TestDirectory, "kmm-preflight.dll");

    private static Process Start(params string[] args)
    {
        // The shipped executable when KMM_PREFLIGHT_EXECUTABLE names one (see CliRun), else the build output under dotnet.
        var start = new ProcessStartInfo(CliRun.Executable ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (CliRun.Executable is null)
        {
            start.ArgumentList.Add(Dll);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    [Test]
    public async Task Help_exits_0_and_prints_usage()
    {
        using var process = Start("--help");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.That(process.ExitCode, Is.Zero);
        Assert.That(output, Does.Contain("Usage:").And.Contain("validate"));
    }

    [Test]
    public async Task Sigint_cancels_a_hanging_request_with_exit_130_and_one_line()
    {
        // A "registry" that accepts connections and never answers: the command waits until Ctrl+C.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var process = Start("inspect", "--insecure-registry", $"127.0.0.1:{port}", $"127.0.0.1:{port}/kmm/hang:1");
        using var accepted = await silent.AcceptSocketAsync().WaitAsync(TimeSpan.FromMinutes(1));

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var error = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.That(process.ExitCode, Is.EqualTo(130), error);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.Contain("cancelled"));
    }
}
