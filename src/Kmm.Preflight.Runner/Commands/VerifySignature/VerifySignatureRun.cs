using Kmm.Preflight.Core.Signing;

namespace Kmm.Preflight.Runner.Commands.VerifySignature;

/// <summary>Checks each module of a <see cref="VerifySignatureRequest"/> and prints one line a module.</summary>
internal static class VerifySignatureRun
{
    /// <summary>Runs <paramref name="request"/>: <c>MODULE: OK, …</c> or <c>MODULE: FAILED (why), …</c> on stdout.</summary>
    public static async Task<int> RunAsync(VerifySignatureRequest request, RunnerConsole console, CancellationToken cancellationToken)
    {
        using var certificate = await ModuleCertificate.LoadFileAsync(request.CertificatePath, cancellationToken);
        var exitCode = ExitCodes.Success;
        foreach (var module in request.Modules)
        {
            try
            {
                var result = await ModuleSignatureVerifier.VerifyAsync(await File.ReadAllBytesAsync(module, cancellationToken), certificate, cancellationToken);
                await console.Out.WriteLineAsync(result.IsValid ? $"{module}: OK, {result.Message}" : $"{module}: FAILED ({Reason(result.Status)}), {result.Message}");
                exitCode = Math.Max(exitCode, result.IsValid ? ExitCodes.Success : ExitCodes.Failure);
            }
            catch (InvalidDataException e)
            {
                await console.Out.WriteLineAsync($"{module}: FAILED (unreadable), {FailureDescription.OneLine(e)}");
                exitCode = Math.Max(exitCode, ExitCodes.Failure);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A module that cannot be read is unusable input, as an unreadable manifest is for validate.
                await console.Error.WriteLineAsync($"kmm-preflight: {module}: {FailureDescription.OneLine(e)}");
                exitCode = ExitCodes.UsageError;
            }
        }

        return exitCode;
    }

    private static string Reason(ModuleSignatureStatus status) => status switch
    {
        ModuleSignatureStatus.NotSigned => "not signed",
        ModuleSignatureStatus.CorruptTrailer => "corrupt trailer",
        ModuleSignatureStatus.MalformedSignature => "malformed signature",
        ModuleSignatureStatus.UnsupportedAlgorithm => "unsupported algorithm",
        ModuleSignatureStatus.SignedByAnotherKey => "signed by another key",
        ModuleSignatureStatus.ContentModified => "modified after signing",
        _ => status.ToString(),
    };
}
