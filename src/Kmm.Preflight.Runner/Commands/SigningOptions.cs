using System.CommandLine;
using Kmm.Preflight.Core.Signing;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>The options <c>sign-file</c> and <c>verify-signature</c> share.</summary>
internal static class SigningOptions
{
    /// <summary>Creates <c>--hash sha256|sha384|sha512</c> (default sha256, as KMM signs).</summary>
    public static Option<string> CreateHash() => new Option<string>("--hash")
    {
        Description = "Digest to sign: sha256 (default, as KMM signs), sha384 or sha512.",
        HelpName = "sha256|sha384|sha512",
        DefaultValueFactory = _ => "sha256",
    }.AcceptOnlyFromAmong("sha256", "sha384", "sha512");

    /// <summary>Creates the required <c>--cert CERT</c>.</summary>
    public static Option<FileInfo> CreateCertificate(string description) => new Option<FileInfo>("--cert")
    {
        Description = description,
        HelpName = "CERT",
        Required = true,
    }.AcceptExistingOnly();

    /// <summary>Creates the <c>MODULE…</c> argument; <see cref="RequireModules"/> asks for at least one, each an existing file.</summary>
    public static Argument<FileInfo[]> CreateModules(string description) => new("MODULE")
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>
    /// Makes <paramref name="command"/> refuse to run without a module or with a missing one, naming it: with
    /// System.CommandLine's own arity check the error ("Required argument missing") does not say which argument.
    /// </summary>
    public static void RequireModules(Command command, Argument<FileInfo[]> modules) =>
        command.Validators.Add(result =>
        {
            var files = result.GetValue(modules) ?? [];
            if (files.Length == 0)
            {
                result.AddError("give at least one MODULE file.");
            }

            foreach (var missing in files.Where(f => !f.Exists))
            {
                result.AddError($"MODULE file does not exist: '{missing.FullName}'.");
            }
        });

    /// <summary>The hash named on the command line.</summary>
    public static ModuleHashAlgorithm ParseHash(string? name) => name switch
    {
        "sha384" => ModuleHashAlgorithm.Sha384,
        "sha512" => ModuleHashAlgorithm.Sha512,
        _ => ModuleHashAlgorithm.Sha256,
    };

    /// <summary>The hash's command-line name.</summary>
    public static string HashName(ModuleHashAlgorithm hash) => hash.ToString().ToLowerInvariant();
}
