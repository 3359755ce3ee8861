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

    /// <summary>Creates the <c>MODULE…</c> argument (one or more existing files).</summary>
    public static Argument<FileInfo[]> CreateModules(string description) => new Argument<FileInfo[]>("MODULE")
    {
        Description = description,
        Arity = ArgumentArity.OneOrMore,
    }.AcceptExistingOnly();

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
