using Kmm.Preflight.Runner.Output;

namespace Kmm.Preflight.Runner.Commands.Validate;

/// <summary>Runs a <see cref="ValidateRequest"/>: load the objects, run the library's validation, print the status.</summary>
internal static class ValidateRun
{
    /// <summary>Runs <paramref name="request"/>; 0 when every module is verified, 1 when one is not, 2 for unusable input.</summary>
    public static async Task<int> RunAsync(ValidateRequest request, RunnerConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(console);
        var report = await ValidateAsync(request, console, cancellationToken);
        await ValidationReportWriter.For(request.Format).WriteAsync(report, console.Out, cancellationToken);
        return report.Modules.All(m => m.Verified) ? ExitCodes.Success : ExitCodes.Failure;
    }

    // Wired to Kmm.Preflight.Core's loading and validation once merged.
    private static Task<ValidationReport> ValidateAsync(ValidateRequest request, RunnerConsole console, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
