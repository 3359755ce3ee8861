using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// How a module signature names its certificate: the issuer and serial exactly as the certificate encodes them
/// (OpenSSL copies both into the SignerInfo, and the kernel finds the key by these bytes), or its key identifier.
/// </summary>
/// <param name="Issuer">The issuer Name, DER as in the certificate.</param>
/// <param name="SerialNumber">The serial INTEGER, DER as in the certificate (tag and length included).</param>
/// <param name="SerialNumberValue">The serial's big-endian content bytes.</param>
/// <param name="SubjectKeyIdentifier">The subject key identifier extension's value, empty when there is none.</param>
internal sealed record CertificateIdentity(
    ReadOnlyMemory<byte> Issuer,
    ReadOnlyMemory<byte> SerialNumber,
    ReadOnlyMemory<byte> SerialNumberValue,
    ReadOnlyMemory<byte> SubjectKeyIdentifier)
{
    /// <summary>The signer name modinfo would print for a signature by this certificate.</summary>
    public string Signer => SignerNames.CommonName(Issuer.Span);

    /// <summary>The key id modinfo would print (the serial).</summary>
    public string KeyId => SignerNames.SerialKeyId(SerialNumberValue.Span);

    /// <summary>The identity of <paramref name="certificate"/>.</summary>
    public static CertificateIdentity From(X509Certificate2 certificate)
    {
        var tbs = new AsnReader(certificate.RawDataMemory, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            tbs.ReadEncodedValue();
        }

        var serial = tbs.ReadEncodedValue();
        var serialValue = new AsnReader(serial, AsnEncodingRules.DER).ReadIntegerBytes();
        tbs.ReadEncodedValue();
        var issuer = tbs.ReadEncodedValue();
        var keyId = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes ?? default;
        return new CertificateIdentity(issuer, serial, serialValue, keyId);
    }

    /// <summary>Whether <paramref name="signer"/> names this certificate.</summary>
    public bool Names(CmsSignerInfo signer) => signer.SubjectKeyIdentifier.IsEmpty
        ? signer.Issuer.Span.SequenceEqual(Issuer.Span) && signer.SerialNumber.Span.SequenceEqual(SerialNumberValue.Span)
        : signer.SubjectKeyIdentifier.Span.SequenceEqual(SubjectKeyIdentifier.Span);
}
