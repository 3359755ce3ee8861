using System.Diagnostics;
using System.Text;
using Kmm.Preflight.Runner;

namespace Kmm.Preflight.Runner.Tests;

/// <summary>
/// Runs the real command tree in process with captured stdout/stderr; or, when <c>KMM_PREFLIGHT_EXECUTABLE</c> names a
/// shipped build (the Native AOT or ReadyToRun binary of a tool package), runs that executable as a child process, so
/// the same end-to-end tests check what users install.
/// </summary>
internal sealed record CliRun(int ExitCode, string Out, string Error, byte[] OutBytes)
{
    /// <summary>The executable under test, or null to run in process.</summary>
    public static string? Executable { get; } = Environment.GetEnvironmentVariable("KMM_PREFLIGHT_EXECUTABLE") is { Length: > 0 } path ? path : null;

    public static async Task<CliRun> RunAsync(params string[] args) => await RunAsync(args, outputIsTerminal: false);

    /// <summary>Runs with <paramref name="input"/> on standard input.</summary>
    public static async Task<CliRun> RunWithInputAsync(string input, params string[] args) => await RunAsync(args, outputIsTerminal: false, input);

    public static Task<CliRun> RunAsync(string[] args, bool outputIsTerminal, CancellationToken cancellationToken = default)
        => RunAsync(args, outputIsTerminal, input: null, cancellationToken);

    public static async Task<CliRun> RunAsync(string[] args, bool outputIsTerminal, string? input, CancellationToken cancellationToken = default)
    {
        // A terminal or a caller's cancellation cannot be handed to a child process: those runs stay in process.
        if (Executable is { } executable && !outputIsTerminal && !cancellationToken.CanBeCanceled)
        {
            return await RunChildAsync(executable, args, input);
        }

        using var stdout = new MemoryStream();
        var writer = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true) { AutoFlush = true };
        var error = new StringWriter();
        var console = new RunnerConsole(writer, error, stdout, outputIsTerminal, IsErrorTerminal: false, new StringReader(input ?? string.Empty));
        var exitCode = await CliApplication.RunAsync(args, console, cancellationToken);
        await writer.FlushAsync(CancellationToken.None);
        var bytes = stdout.ToArray();
        return new CliRun(exitCode, Encoding.UTF8.GetString(bytes), error.ToString(), bytes);
    }

    private static async Task<CliRun> RunChildAsync(string executable, string[] args, string? input)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input ?? string.Empty);
        process.StandardInput.Close();
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', args)} did not exit within 5 minutes");
        }

        await copy;
        var bytes = stdout.ToArray();
        return new CliRun(process.ExitCode, Encoding.UTF8.GetString(bytes), await error, bytes);
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}
