namespace Kmm.Preflight.Runner.Commands.VerifySignature;

/// <summary>What <c>verify-signature</c> was asked.</summary>
/// <param name="CertificatePath">The certificate the signatures must be made with.</param>
/// <param name="Modules">The module files to check.</param>
/// <param name="Verbose">Whether to show error details.</param>
internal sealed record VerifySignatureRequest(string CertificatePath, IReadOnlyList<string> Modules, bool Verbose);
