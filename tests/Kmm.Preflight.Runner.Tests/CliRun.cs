using System.Text;
using Kmm.Preflight.Runner;

namespace Kmm.Preflight.Runner.Tests;

/// <summary>Runs the real command tree in process with captured stdout/stderr.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error, byte[] OutBytes)
{
    public static async Task<CliRun> RunAsync(params string[] args) => await RunAsync(args, outputIsTerminal: false);

    public static async Task<CliRun> RunAsync(string[] args, bool outputIsTerminal, CancellationToken cancellationToken = default)
    {
        using var stdout = new MemoryStream();
        var writer = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true) { AutoFlush = true };
        var error = new StringWriter();
        var console = new RunnerConsole(writer, error, stdout, outputIsTerminal, IsErrorTerminal: false);
        var exitCode = await CliApplication.RunAsync(args, console, cancellationToken);
        await writer.FlushAsync(CancellationToken.None);
        var bytes = stdout.ToArray();
        return new CliRun(exitCode, Encoding.UTF8.GetString(bytes), error.ToString(), bytes);
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}
