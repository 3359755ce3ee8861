using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kmm.Preflight.Core.Modules;

namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// Checks a module's appended signature against a certificate as the kernel does at load time: the trailer, the CMS
/// SignedData, that its signer is the certificate (issuer and serial, or key id), and the signature over the module.
/// Each failure is reported as a <see cref="ModuleSignatureStatus"/> with a message saying what is wrong.
/// </summary>
public static class ModuleSignatureVerifier
{
    private const string MessageDigestAttribute = "1.2.840.113549.1.9.4";

    /// <summary>Checks the uncompressed <paramref name="module"/> against a PEM or DER <paramref name="certificate"/> (e.g. a Secret's <c>cert</c> data).</summary>
    /// <exception cref="ModuleSigningKeyException">The certificate is unreadable or its key is neither RSA nor ECDSA P-256/P-384.</exception>
    public static ModuleSignatureVerification Verify(ReadOnlySpan<byte> module, ReadOnlySpan<byte> certificate)
    {
        using var cert = ModuleCertificate.Load(certificate);
        return Verify(module, cert);
    }

    /// <summary>Checks the uncompressed <paramref name="module"/> against <paramref name="certificate"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is null.</exception>
    /// <exception cref="ModuleSigningKeyException">The certificate's key is neither RSA nor ECDSA P-256/P-384.</exception>
    public static ModuleSignatureVerification Verify(ReadOnlySpan<byte> module, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        SigningKeyType.Describe(certificate, $"certificate '{certificate.Subject}'");
        ModuleSignatureTrailer trailer;
        try
        {
            if (ModuleSignatureTrailer.Read(module) is not { } found)
            {
                return Result(ModuleSignatureStatus.NotSigned, "not signed (no '~Module signature appended~' marker)");
            }

            trailer = found;
        }
        catch (InvalidDataException ex)
        {
            return Result(ModuleSignatureStatus.CorruptTrailer, $"corrupt signature trailer: {ex.Message}");
        }

        if (trailer.KernelProblem is { } problem)
        {
            return Result(ModuleSignatureStatus.CorruptTrailer, $"corrupt signature trailer: {problem}");
        }

        CmsSignerInfo signer;
        ModuleSignatureInfo info;
        try
        {
            signer = SignedDataReader.Read(module.Slice(trailer.SignatureOffset, trailer.SignatureLength).ToArray());
            // Inside the try: a corrupt issuer name is only found when Describe reads it (an afl++ finding).
            info = ModuleSignatureReader.Describe(signer, trailer);
        }
        catch (InvalidDataException ex)
        {
            return Result(ModuleSignatureStatus.MalformedSignature, ex.Message);
        }

        return new SignatureCheck(module[..trailer.SignatureOffset], signer, info, certificate).Run();
    }

    /// <summary>
    /// Checks a module file's bytes, compressed (<c>xz</c>, <c>zstd</c>, <c>gzip</c>, by magic bytes) or not, against
    /// <paramref name="certificate"/>: the signature is checked on the decompressed module, as the kernel does.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ModuleSigningKeyException">The certificate's key is neither RSA nor ECDSA P-256/P-384.</exception>
    /// <exception cref="InvalidDataException">The compressed data is corrupt.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<ModuleSignatureVerification> VerifyAsync(byte[] moduleFile, X509Certificate2 certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(moduleFile);
        ArgumentNullException.ThrowIfNull(certificate);
        var module = await ModuleCompression.DecompressAsync(moduleFile, cancellationToken);
        return Verify(module, certificate);
    }

    private static ModuleSignatureVerification Result(ModuleSignatureStatus status, string message, ModuleSignatureInfo? info = null) =>
        new() { Status = status, Message = message, Signature = info };

    /// <summary>The checks after the signature has been parsed.</summary>
    private readonly ref struct SignatureCheck(ReadOnlySpan<byte> content, CmsSignerInfo signer, ModuleSignatureInfo info, X509Certificate2 certificate)
    {
        private readonly ReadOnlySpan<byte> _content = content;

        public ModuleSignatureVerification Run()
        {
            var expected = CertificateIdentity.From(certificate);
            var signedBy = info.Signer is null ? $"key id {info.KeyId}" : $"'{info.Signer}' (key {info.KeyId})";
            if (!expected.Names(signer))
            {
                return Result(ModuleSignatureStatus.SignedByAnotherKey, $"signed by {signedBy}, expected '{expected.Signer}' (key {expected.KeyId})", info);
            }

            if (SignatureAlgorithms.DigestHashName(signer.DigestAlgorithm) is not { } hashName)
            {
                return Result(ModuleSignatureStatus.UnsupportedAlgorithm, $"signed by {signedBy} with hash {info.HashAlgorithm}, which this verifier cannot compute", info);
            }

            var keyType = SignatureAlgorithms.SignatureKeyType(signer.SignatureAlgorithm);
            if (keyType is null)
            {
                return Result(ModuleSignatureStatus.UnsupportedAlgorithm, $"signed by {signedBy} with signature algorithm {signer.SignatureAlgorithm}, which this verifier cannot check", info);
            }

            var contentDigest = Hash(hashName, _content);
            var signedDigest = contentDigest;
            if (!signer.SignedAttributes.IsEmpty)
            {
                if (MessageDigest(signer.SignedAttributes) is not { } attributeDigest)
                {
                    return Result(ModuleSignatureStatus.MalformedSignature, "module signature has signed attributes without a messageDigest", info);
                }

                if (!attributeDigest.AsSpan().SequenceEqual(contentDigest))
                {
                    return Modified(info, signedBy, attributeDigest, contentDigest);
                }

                // The signature covers the attributes, re-tagged from [0] IMPLICIT to SET OF (RFC 5652, 5.4).
                var attributes = signer.SignedAttributes.ToArray();
                attributes[0] = 0x31;
                signedDigest = Hash(hashName, attributes);
            }

            var ok = $"signed by {signedBy}, {info.HashAlgorithm}";
            return keyType == "RSA" ? CheckRsa(hashName, signedDigest, contentDigest, signedBy, ok) : CheckEcdsa(signedDigest, signedBy, ok);
        }

        private ModuleSignatureVerification CheckRsa(HashAlgorithmName hashName, byte[] signedDigest, byte[] contentDigest, string signedBy, string ok)
        {
            using var rsa = certificate.GetRSAPublicKey();
            if (rsa is null)
            {
                return Result(ModuleSignatureStatus.SignedByAnotherKey, $"signed by {signedBy} with an RSA key, but the certificate's key is not RSA", info);
            }

            if (rsa.VerifyHash(signedDigest, signer.Signature.Span, hashName, RSASignaturePadding.Pkcs1))
            {
                return Result(ModuleSignatureStatus.Valid, ok, info);
            }

            var recovered = RsaDigestRecovery.Recover(rsa, signer.Signature.Span);
            return recovered is null
                ? Result(ModuleSignatureStatus.SignedByAnotherKey, $"signature names {signedBy} but was not made with the certificate's key", info)
                : Modified(info, signedBy, recovered, signer.SignedAttributes.IsEmpty ? contentDigest : signedDigest);
        }

        private ModuleSignatureVerification CheckEcdsa(byte[] signedDigest, string signedBy, string ok)
        {
            using var ecdsa = certificate.GetECDsaPublicKey();
            if (ecdsa is null)
            {
                return Result(ModuleSignatureStatus.SignedByAnotherKey, $"signed by {signedBy} with an ECDSA key, but the certificate's key is not ECDSA", info);
            }

            if (ecdsa.VerifyHash(signedDigest, signer.Signature.Span, DSASignatureFormat.Rfc3279DerSequence))
            {
                return Result(ModuleSignatureStatus.Valid, ok, info);
            }

            // ECDSA does not reveal the digest it signed, so a changed module and a foreign key look alike.
            return Result(ModuleSignatureStatus.ContentModified, $"signature by {signedBy} does not match the module's {info.HashAlgorithm} digest: the module was modified after signing (or signed by another key with the same issuer and serial)", info);
        }

        private static ModuleSignatureVerification Modified(ModuleSignatureInfo info, string signedBy, byte[] signed, byte[] actual) =>
            Result(ModuleSignatureStatus.ContentModified, $"module was modified after signing: the signature by {signedBy} is over {info.HashAlgorithm} {Convert.ToHexStringLower(signed)}, the module's digest is {Convert.ToHexStringLower(actual)}", info);

        private static byte[] Hash(HashAlgorithmName name, ReadOnlySpan<byte> data) => name.Name switch
        {
            // Verifying what the kernel still accepts, never signing with it.
#pragma warning disable CA5350
            "SHA1" => SHA1.HashData(data),
#pragma warning restore CA5350
            "SHA384" => SHA384.HashData(data),
            "SHA512" => SHA512.HashData(data),
            _ => SHA256.HashData(data),
        };

        private static byte[]? MessageDigest(ReadOnlyMemory<byte> signedAttributes)
        {
            try
            {
                var set = new AsnReader(signedAttributes, AsnEncodingRules.BER).ReadSetOf(skipSortOrderValidation: true, new Asn1Tag(TagClass.ContextSpecific, 0));
                while (set.HasData)
                {
                    var attribute = set.ReadSequence();
                    if (attribute.ReadObjectIdentifier() == MessageDigestAttribute)
                    {
                        return attribute.ReadSetOf().ReadOctetString();
                    }
                }
            }
            catch (AsnContentException)
            {
            }

            return null;
        }
    }
}
