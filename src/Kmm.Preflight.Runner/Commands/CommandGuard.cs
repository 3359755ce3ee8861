namespace Kmm.Preflight.Runner.Commands;

/// <summary>
/// Runs a command's work and turns any exception into one line on stderr and an exit code, so users never see a
/// stack trace unless they ask for <c>--verbose</c>.
/// </summary>
internal static class CommandGuard
{
    /// <summary>Runs <paramref name="work"/>; returns its exit code or the code for the exception it threw.</summary>
    public static async Task<int> RunAsync(RunnerConsole console, bool verbose, Func<CancellationToken, Task<int>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await work(cancellationToken);
        }
        catch (Exception e)
        {
            var failure = FailureDescription.Describe(e, cancellationToken);
            await console.Error.WriteLineAsync($"kmm-preflight: {failure.Message}");
            if (verbose && failure.ExitCode != ExitCodes.Cancelled)
            {
                await console.Error.WriteLineAsync(e.ToString());
            }

            return failure.ExitCode;
        }
    }
}
