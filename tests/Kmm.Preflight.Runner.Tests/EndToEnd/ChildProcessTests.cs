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
        // Through env --default-signal: a child inherits an ignored SIGINT (a test run started as a background job
        // of a non-interactive shell has one), and .NET keeps an inherited SIG_IGN, so the process would never see
        // Ctrl+C. Resetting it makes the test check our handler, not how the test run was started.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--default-signal=INT,TERM");
        // The shipped executable when KMM_PREFLIGHT_EXECUTABLE names one (see CliRun), else the build output under dotnet.
        start.ArgumentList.Add(CliRun.Executable ?? "dotnet");
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
        // The connection is the readiness signal: Program registers the SIGINT handler before any network I/O, so
        // once the request reaches us a SIGINT cannot fall into an unobserved window (no sleep, so load does not matter).
        using var accepted = await silent.AcceptSocketAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.That(SignalMask(process.Id, "SigIgn") & SigintBit, Is.Zero, "the child ignores SIGINT");
        Assert.That(SignalMask(process.Id, "SigCgt") & SigintBit, Is.Not.Zero, "the child has no SIGINT handler although it is already connecting");

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await output;

        Assert.That(process.ExitCode, Is.EqualTo(130), error);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.Contain("cancelled"));
    }

    private const ulong SigintBit = 1UL << (2 - 1);

    /// <summary>A signal mask of <c>/proc/PID/status</c> (SigIgn: ignored, SigCgt: caught), bit n-1 for signal n.</summary>
    private static ulong SignalMask(int processId, string field)
    {
        var line = File.ReadLines($"/proc/{processId}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return ulong.Parse(line[(field.Length + 1)..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }
}
