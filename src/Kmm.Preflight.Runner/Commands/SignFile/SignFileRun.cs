using Kmm.Preflight.Core.Signing;

namespace Kmm.Preflight.Runner.Commands.SignFile;

/// <summary>Signs each module of a <see cref="SignFileRequest"/>; one module's failure does not stop the others.</summary>
internal static class SignFileRun
{
    /// <summary>Runs <paramref name="request"/>: one line a module on stdout when signed, on stderr when not.</summary>
    public static async Task<int> RunAsync(SignFileRequest request, RunnerConsole console, CancellationToken cancellationToken)
    {
        using var key = await ModuleSigningKey.LoadFilesAsync(request.KeyPath, request.CertificatePath, cancellationToken);
        var options = new ModuleSigningOptions { HashAlgorithm = request.HashAlgorithm };
        var exitCode = ExitCodes.Success;
        foreach (var module in request.Modules)
        {
            try
            {
                await ModuleSigner.SignFileAsync(module, key, options, cancellationToken);
                await console.Out.WriteLineAsync($"{module}: signed by '{key.Signer}' ({SigningOptions.HashName(request.HashAlgorithm)}, {key.KeyType})");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var failure = FailureDescription.Describe(e, cancellationToken);
                await console.Error.WriteLineAsync($"kmm-preflight: {module}: {failure.Message}");
                exitCode = Math.Max(exitCode, failure.ExitCode);
            }
        }

        return exitCode;
    }
}
