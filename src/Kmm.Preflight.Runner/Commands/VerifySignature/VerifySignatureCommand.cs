using System.CommandLine;

namespace Kmm.Preflight.Runner.Commands.VerifySignature;

/// <summary>
/// <c>kmm-preflight verify-signature --cert CERT MODULE…</c>: checks each module's signature against the certificate
/// and prints one line a module. Exit 0 when every module verifies, 1 when one does not, 2 for unusable input.
/// </summary>
internal static class VerifySignatureCommand
{
    /// <summary>Creates the command; <paramref name="run"/> replaces the real run (parser tests look at the request).</summary>
    public static Command Create(Option<bool> verbose, RunnerConsole console, Func<VerifySignatureRequest, RunnerConsole, CancellationToken, Task<int>>? run = null)
    {
        run ??= VerifySignatureRun.RunAsync;
        var certificate = SigningOptions.CreateCertificate("X.509 certificate the modules must be signed with, PEM or DER.");
        var modules = SigningOptions.CreateModules("Module files to check (.ko, .ko.xz, .ko.zst, .ko.gz).");
        var command = new Command("verify-signature", "Check that kernel modules carry a valid signature made with the certificate's key, as the kernel checks at load time.")
        {
            certificate, modules,
        };
        SigningOptions.RequireModules(command, modules);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var request = new VerifySignatureRequest(
                parseResult.GetRequiredValue(certificate).FullName,
                [.. parseResult.GetRequiredValue(modules).Select(m => m.FullName)],
                parseResult.GetValue(verbose));
            return CommandGuard.RunAsync(console, request.Verbose, ct => run(request, console, ct), cancellationToken);
        });
        return command;
    }
}
