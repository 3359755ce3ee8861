namespace Kmm.Preflight.Core.Signing;

/// <summary>What a module's appended signature says, as <c>modinfo</c> prints it.</summary>
public sealed record ModuleSignatureInfo
{
    /// <summary>The signature type (<c>PKCS#7</c> for <c>id_type</c> 2).</summary>
    public required string IdType { get; init; }

    /// <summary>The signer: the issuer's common name (as modinfo's <c>signer</c>), else the issuer's distinguished name; null when unknown.</summary>
    public string? Signer { get; init; }

    /// <summary>The key id as modinfo's <c>sig_key</c>: the certificate serial (or subject key identifier) as colon-separated upper-case hex.</summary>
    public string? KeyId { get; init; }

    /// <summary>The hash algorithm as modinfo's <c>sig_hashalgo</c>, e.g. <c>sha256</c>.</summary>
    public string? HashAlgorithm { get; init; }

    /// <summary>The size of the signature blob in bytes.</summary>
    public int SignatureLength { get; init; }

    /// <summary>The length of the module content the signature covers (bytes before the signature).</summary>
    public long SignedContentLength { get; init; }
}
