using System.Diagnostics;
using System.Globalization;

namespace Kmm.Preflight.Runner.Tests.Faults;

/// <summary>
/// Runs a child process and samples its peak resident set (Linux <c>VmHWM</c>, which only grows) until it exits.
/// The last sample is taken at most one interval before exit, so the figure can fall short only by what the last
/// few milliseconds added.
/// </summary>
internal static class PeakMemory
{
    public sealed record Run(int ExitCode, string Out, string Error, long PeakBytes, TimeSpan Elapsed);

    public static async Task<Run> RunAsync(IReadOnlyList<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(CliRun.Executable ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (CliRun.Executable is null)
        {
            start.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "kmm-preflight.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var peak = 0L;
        using var deadline = new CancellationTokenSource(timeout);
        while (!process.HasExited)
        {
            peak = Math.Max(peak, ReadHighWaterMark(process.Id));
            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kmm-preflight {string.Join(' ', args)} did not exit within {timeout}");
            }
        }

        await process.WaitForExitAsync();
        return new Run(process.ExitCode, await output, await error, peak, watch.Elapsed);
    }

    private static long ReadHighWaterMark(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process exited between the check and the read.
            return 0;
        }
    }
}
