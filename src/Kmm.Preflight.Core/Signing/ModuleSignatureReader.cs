namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// Reads the signature appended to a kernel module: the DER PKCS#7 blob, then a 12-byte trailer
/// (<c>algo, hash, id_type, signer_len, key_id_len</c>, 3 pad bytes, big-endian <c>sig_len</c>) and the marker
/// <c>~Module signature appended~\n</c>. It reports what the signature says; <see cref="ModuleSignatureVerifier"/>
/// checks it against a certificate.
/// </summary>
public static class ModuleSignatureReader
{
    /// <summary>The marker at the very end of a signed module.</summary>
    public const string Marker = "~Module signature appended~\n";

    /// <summary>Whether the (uncompressed) module ends with the signature marker.</summary>
    public static bool IsSigned(ReadOnlySpan<byte> module) => ModuleSignatureTrailer.IsSigned(module);

    /// <summary>The signature facts of the (uncompressed) module, or null when it is not signed.</summary>
    /// <exception cref="InvalidDataException">The marker is there but the trailer or PKCS#7 blob is malformed.</exception>
    public static ModuleSignatureInfo? Read(ReadOnlySpan<byte> module)
    {
        if (ModuleSignatureTrailer.Read(module) is not { } trailer)
        {
            return null;
        }

        if (trailer.IdType != ModuleSignatureTrailer.IdTypePkcs7)
        {
            return new ModuleSignatureInfo { IdType = $"id_type {trailer.IdType}", SignatureLength = trailer.SignatureLength, SignedContentLength = trailer.SignatureOffset };
        }

        var signer = SignedDataReader.Read(module.Slice(trailer.SignatureOffset, trailer.SignatureLength).ToArray());
        return Describe(signer, trailer);
    }

    /// <summary>The facts of a parsed PKCS#7 signature.</summary>
    internal static ModuleSignatureInfo Describe(CmsSignerInfo signer, ModuleSignatureTrailer trailer) => new()
    {
        IdType = "PKCS#7",
        Signer = signer.Issuer.IsEmpty ? null : SignerNames.CommonName(signer.Issuer.Span),
        KeyId = signer.Issuer.IsEmpty ? SignerNames.ColonHex(signer.SubjectKeyIdentifier.Span) : SignerNames.SerialKeyId(signer.SerialNumber.Span),
        HashAlgorithm = SignatureAlgorithms.DigestDisplayName(signer.DigestAlgorithm),
        SignatureLength = trailer.SignatureLength,
        SignedContentLength = trailer.SignatureOffset,
    };
}
