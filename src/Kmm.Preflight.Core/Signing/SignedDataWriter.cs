using System.Formats.Asn1;

namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// Writes the CMS SignedData the kernel's <c>sign-file</c> writes (OpenSSL, <c>CMS_NOCERTS | CMS_BINARY |
/// CMS_NOSMIMECAP | CMS_NOATTR</c>, detached): version 1, one digest algorithm without parameters, no content,
/// no certificates, one SignerInfo (version 1, issuer and serial) without attributes. Written byte by byte here so
/// RSA signatures equal sign-file's exactly.
/// </summary>
internal static class SignedDataWriter
{
    private static readonly Asn1Tag ExplicitZero = new(TagClass.ContextSpecific, 0, isConstructed: true);

    /// <summary>The DER ContentInfo.</summary>
    /// <param name="digestAlgorithm">The digest OID.</param>
    /// <param name="signatureAlgorithm">The signature OID.</param>
    /// <param name="nullParameters">Whether the signature algorithm has NULL parameters (rsaEncryption does; ECDSA has none).</param>
    /// <param name="signer">The certificate's issuer and serial, copied as encoded.</param>
    /// <param name="signature">The signature value.</param>
    public static byte[] Write(string digestAlgorithm, string signatureAlgorithm, bool nullParameters, CertificateIdentity signer, ReadOnlySpan<byte> signature)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(SignatureAlgorithms.SignedData);
            using (writer.PushSequence(ExplicitZero))
            using (writer.PushSequence())
            {
                writer.WriteInteger(1);
                using (writer.PushSetOf())
                {
                    WriteAlgorithm(writer, digestAlgorithm, nullParameters: false);
                }

                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(SignatureAlgorithms.Data);
                }

                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1);
                    using (writer.PushSequence())
                    {
                        writer.WriteEncodedValue(signer.Issuer.Span);
                        writer.WriteEncodedValue(signer.SerialNumber.Span);
                    }

                    WriteAlgorithm(writer, digestAlgorithm, nullParameters: false);
                    WriteAlgorithm(writer, signatureAlgorithm, nullParameters);
                    writer.WriteOctetString(signature);
                }
            }
        }

        return writer.Encode();
    }

    private static void WriteAlgorithm(AsnWriter writer, string oid, bool nullParameters)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (nullParameters)
            {
                writer.WriteNull();
            }
        }
    }
}
