using Kmm.Preflight.Core.Signing;

namespace Kmm.Preflight.Runner.Commands.SignFile;

/// <summary>What <c>sign-file</c> was asked.</summary>
/// <param name="HashAlgorithm">The digest to sign.</param>
/// <param name="KeyPath">The private key file.</param>
/// <param name="CertificatePath">The certificate file.</param>
/// <param name="Modules">The module files to sign in place.</param>
/// <param name="Verbose">Whether to show error details.</param>
internal sealed record SignFileRequest(ModuleHashAlgorithm HashAlgorithm, string KeyPath, string CertificatePath, IReadOnlyList<string> Modules, bool Verbose);
