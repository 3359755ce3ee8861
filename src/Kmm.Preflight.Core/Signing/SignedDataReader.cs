using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// Parses a module signature's CMS ContentInfo/SignedData down to its first SignerInfo. Our own parser rather than
/// <c>SignedCms</c>: a verifier must say which part is wrong, and signatures with no certificates are the norm here.
/// </summary>
internal static class SignedDataReader
{
    private static readonly Asn1Tag ContextZero = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag ContextOne = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag ContextZeroConstructed = new(TagClass.ContextSpecific, 0, isConstructed: true);

    /// <summary>The first signer of the DER (or BER) <paramref name="signature"/>.</summary>
    /// <exception cref="InvalidDataException">It is not a detached CMS SignedData with at least one signer.</exception>
    public static CmsSignerInfo Read(ReadOnlyMemory<byte> signature)
    {
        try
        {
            return ReadContentInfo(signature);
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException or ArgumentException)
        {
            throw new InvalidDataException($"module signature is not a valid PKCS#7 SignedData: {ex.Message}", ex);
        }
    }

    private static CmsSignerInfo ReadContentInfo(ReadOnlyMemory<byte> signature)
    {
        var outer = new AsnReader(signature, AsnEncodingRules.BER);
        var contentInfo = outer.ReadSequence();
        var contentType = contentInfo.ReadObjectIdentifier();
        if (contentType != SignatureAlgorithms.SignedData)
        {
            throw new InvalidDataException($"module signature is PKCS#7 content type {contentType}, not SignedData");
        }

        var signedData = contentInfo.ReadSequence(ContextZeroConstructed).ReadSequence();
        signedData.ReadInteger();
        signedData.ReadSetOf();
        var encapsulated = signedData.ReadSequence();
        encapsulated.ReadObjectIdentifier();
        if (encapsulated.HasData)
        {
            throw new InvalidDataException("module signature PKCS#7 carries its own content; a module signature is detached");
        }

        // Certificates [0] and CRLs [1] are allowed (sign-file can embed the certificate) but not needed.
        if (signedData.PeekTag().HasSameClassAndValue(ContextZero))
        {
            signedData.ReadEncodedValue();
        }

        if (signedData.PeekTag().HasSameClassAndValue(ContextOne))
        {
            signedData.ReadEncodedValue();
        }

        var signerInfos = signedData.ReadSetOf(skipSortOrderValidation: true);
        if (!signerInfos.HasData)
        {
            throw new InvalidDataException("module signature PKCS#7 has no signer");
        }

        return ReadSignerInfo(signerInfos.ReadSequence());
    }

    private static CmsSignerInfo ReadSignerInfo(AsnReader signer)
    {
        signer.ReadInteger();
        ReadOnlyMemory<byte> issuer = default, serial = default, keyId = default;
        if (signer.PeekTag().HasSameClassAndValue(ContextZero))
        {
            keyId = ReadOctets(signer, ContextZero);
        }
        else
        {
            var issuerAndSerial = signer.ReadSequence();
            issuer = issuerAndSerial.ReadEncodedValue();
            serial = issuerAndSerial.ReadIntegerBytes();
        }

        var digest = ReadAlgorithm(signer);
        ReadOnlyMemory<byte> signedAttributes = default;
        if (signer.PeekTag().HasSameClassAndValue(ContextZero))
        {
            signedAttributes = signer.ReadEncodedValue();
        }

        var signatureAlgorithm = ReadAlgorithm(signer);
        var value = ReadOctets(signer, Asn1Tag.PrimitiveOctetString);
        return new CmsSignerInfo(digest, signatureAlgorithm, issuer, serial, keyId, signedAttributes, value);
    }

    private static string ReadAlgorithm(AsnReader reader) => reader.ReadSequence().ReadObjectIdentifier();

    private static ReadOnlyMemory<byte> ReadOctets(AsnReader reader, Asn1Tag tag) =>
        reader.TryReadPrimitiveOctetString(out var primitive, tag) ? primitive : reader.ReadOctetString(tag);
}
