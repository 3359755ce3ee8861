using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.Xml;
using System.Text;

namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// Reads the signature appended to a kernel module: the DER PKCS#7 blob, then a 12-byte trailer
/// (<c>algo, hash, id_type, signer_len, key_id_len</c>, 3 pad bytes, big-endian <c>sig_len</c>) and the marker
/// <c>~Module signature appended~\n</c>.
/// </summary>
public static class ModuleSignatureReader
{
    /// <summary>The marker at the very end of a signed module.</summary>
    public const string Marker = "~Module signature appended~\n";

    private const int TrailerLength = 12;
    private const byte IdTypePkcs7 = 2;

    private static readonly byte[] MarkerBytes = Encoding.ASCII.GetBytes(Marker);

    /// <summary>Whether the (uncompressed) module ends with the signature marker.</summary>
    public static bool IsSigned(ReadOnlySpan<byte> module) => module.EndsWith(MarkerBytes);

    /// <summary>The signature facts of the (uncompressed) module, or null when it is not signed.</summary>
    /// <exception cref="InvalidDataException">The marker is there but the trailer or PKCS#7 blob is malformed.</exception>
    public static ModuleSignatureInfo? Read(ReadOnlySpan<byte> module)
    {
        if (!IsSigned(module))
        {
            return null;
        }

        var trailerAt = module.Length - MarkerBytes.Length - TrailerLength;
        if (trailerAt < 0)
        {
            throw new InvalidDataException("module signature trailer is truncated");
        }

        var trailer = module.Slice(trailerAt, TrailerLength);
        var idType = trailer[2];
        var signatureLength = BinaryPrimitives.ReadUInt32BigEndian(trailer[8..]);
        if (signatureLength == 0 || signatureLength > trailerAt)
        {
            throw new InvalidDataException($"module signature length {signatureLength} does not fit in the module ({trailerAt} bytes before the trailer)");
        }

        var signatureAt = trailerAt - (int)signatureLength;
        if (idType != IdTypePkcs7)
        {
            return new ModuleSignatureInfo { IdType = $"id_type {idType}", SignatureLength = (int)signatureLength, SignedContentLength = signatureAt };
        }

        var cms = new SignedCms();
        try
        {
            cms.Decode(module.Slice(signatureAt, (int)signatureLength));
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"module signature is not a valid PKCS#7 SignedData: {ex.Message}", ex);
        }

        if (cms.SignerInfos.Count == 0)
        {
            throw new InvalidDataException("module signature PKCS#7 has no signer");
        }

        var signer = cms.SignerInfos[0];
        string? signerName = null;
        string? keyId = null;
        switch (signer.SignerIdentifier.Value)
        {
            case X509IssuerSerial issuerSerial:
                signerName = CommonName(issuerSerial.IssuerName);
                keyId = ColonHex(Convert.FromHexString(issuerSerial.SerialNumber));
                break;
            case string subjectKeyId:
                keyId = ColonHex(Convert.FromHexString(subjectKeyId));
                break;
        }

        return new ModuleSignatureInfo
        {
            IdType = "PKCS#7",
            Signer = signerName,
            KeyId = keyId,
            HashAlgorithm = HashName(signer.DigestAlgorithm),
            SignatureLength = (int)signatureLength,
            SignedContentLength = signatureAt,
        };
    }

    private static string CommonName(string distinguishedName)
    {
        var name = new System.Security.Cryptography.X509Certificates.X500DistinguishedName(distinguishedName);
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.GetSingleElementType().Value == "2.5.4.3")
            {
                return rdn.GetSingleElementValue() ?? distinguishedName;
            }
        }

        return distinguishedName;
    }

    private static string ColonHex(byte[] bytes) => string.Join(':', bytes.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    private static string HashName(Oid oid) => oid.Value switch
    {
        "1.3.14.3.2.26" => "sha1",
        "2.16.840.1.101.3.4.2.4" => "sha224",
        "2.16.840.1.101.3.4.2.1" => "sha256",
        "2.16.840.1.101.3.4.2.2" => "sha384",
        "2.16.840.1.101.3.4.2.3" => "sha512",
        "2.16.840.1.101.3.4.2.8" => "sha3-256",
        "2.16.840.1.101.3.4.2.9" => "sha3-384",
        "2.16.840.1.101.3.4.2.10" => "sha3-512",
        "1.2.156.10197.1.401" => "sm3",
        _ => oid.FriendlyName ?? oid.Value ?? "unknown",
    };
}
