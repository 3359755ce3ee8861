namespace Kmm.Preflight.Core.Signing;

/// <summary>What <see cref="ModuleSignatureVerifier"/> found.</summary>
public sealed record ModuleSignatureVerification
{
    /// <summary>The outcome.</summary>
    public required ModuleSignatureStatus Status { get; init; }

    /// <summary>
    /// One line saying what was found: for a valid signature the signer and hash, otherwise what is wrong (who signed
    /// and who was expected, which trailer field is bad, which digest differs).
    /// </summary>
    public required string Message { get; init; }

    /// <summary>What the signature says (signer, key id, hash), or null when it could not be read.</summary>
    public ModuleSignatureInfo? Signature { get; init; }

    /// <summary>Whether the signature is valid for the certificate.</summary>
    public bool IsValid => Status == ModuleSignatureStatus.Valid;
}
