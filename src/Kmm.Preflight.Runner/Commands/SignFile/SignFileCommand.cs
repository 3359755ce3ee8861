using System.CommandLine;
using Kmm.Preflight.Core.Signing;

namespace Kmm.Preflight.Runner.Commands.SignFile;

/// <summary>
/// <c>kmm-preflight sign-file [--hash sha256|sha384|sha512] --key KEY --cert CERT MODULE…</c>: signs each module in
/// place as the kernel's <c>scripts/sign-file</c> does, without it. Exit 0 when every module is signed, 1 when one
/// could not be, 2 for unusable input (options, key, certificate, missing module).
/// </summary>
internal static class SignFileCommand
{
    /// <summary>Creates the command; <paramref name="run"/> replaces the real run (parser tests look at the request).</summary>
    public static Command Create(Option<bool> verbose, RunnerConsole console, Func<SignFileRequest, RunnerConsole, CancellationToken, Task<int>>? run = null)
    {
        run ??= SignFileRun.RunAsync;
        var hash = SigningOptions.CreateHash();
        var key = new Option<FileInfo>("--key")
        {
            Description = "Private key, PEM or DER (RSA PKCS#8/PKCS#1, ECDSA P-256/P-384 PKCS#8/SEC1); may be a PEM holding the certificate too.",
            HelpName = "KEY",
            Required = true,
        }.AcceptExistingOnly();
        var certificate = SigningOptions.CreateCertificate("X.509 certificate of the key, PEM or DER; its issuer and serial name the signer.");
        var modules = SigningOptions.CreateModules("Module files to sign in place (.ko, .ko.xz, .ko.zst, .ko.gz; compressed ones stay compressed).");
        var command = new Command("sign-file", "Sign kernel modules in place as the kernel's scripts/sign-file does (no external tool; compressed modules too).")
        {
            hash, key, certificate, modules,
        };
        SigningOptions.RequireModules(command, modules);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var request = new SignFileRequest(
                SigningOptions.ParseHash(parseResult.GetValue(hash)),
                parseResult.GetRequiredValue(key).FullName,
                parseResult.GetRequiredValue(certificate).FullName,
                [.. parseResult.GetRequiredValue(modules).Select(m => m.FullName)],
                parseResult.GetValue(verbose));
            return CommandGuard.RunAsync(console, request.Verbose, ct => run(request, console, ct), cancellationToken);
        });
        return command;
    }
}
