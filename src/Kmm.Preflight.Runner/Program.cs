using System.Runtime.InteropServices;

namespace Kmm.Preflight.Runner;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();

        // The first Ctrl+C (or SIGTERM) cancels the running command, which reports "cancelled" and exits 130;
        // a second one terminates the process at once, in case something does not honour the token.
        void Cancel(PosixSignalContext context)
        {
            if (!cancellation.IsCancellationRequested)
            {
                context.Cancel = true;
                cancellation.Cancel();
            }
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        var console = RunnerConsole.FromProcess();
        await using (console.OutputStream)
        {
            return await CliApplication.RunAsync(args, console, cancellation.Token);
        }
    }
}
