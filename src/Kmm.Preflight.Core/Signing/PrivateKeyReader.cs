using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// Reads an RSA or ECDSA private key as the kernel's <c>sign-file</c> accepts it: PEM (<c>PRIVATE KEY</c> PKCS#8,
/// <c>RSA PRIVATE KEY</c> PKCS#1, <c>EC PRIVATE KEY</c> SEC1, also inside a file that holds the certificate too)
/// or the same structures as DER.
/// </summary>
internal static class PrivateKeyReader
{
    private const string Ed25519 = "1.3.101.112";
    private const string Ed448 = "1.3.101.113";
    private const string RsaPss = "1.2.840.113549.1.1.10";
    private const string Dsa = "1.2.840.10040.4.1";

    /// <summary>The private key in <paramref name="data"/>; the caller disposes it.</summary>
    /// <exception cref="ModuleSigningKeyException">No usable key: names what was found instead.</exception>
    public static AsymmetricAlgorithm Read(ReadOnlySpan<byte> data, string source)
    {
        if (data.IsEmpty)
        {
            throw new ModuleSigningKeyException($"{source} is empty");
        }

        var blocks = PemBlocks.Read(data, source);
        if (blocks is null)
        {
            return ReadDer(data, source);
        }

        foreach (var (label, der) in blocks)
        {
            switch (label)
            {
                case "PRIVATE KEY":
                    return ReadPkcs8(der, source);
                case "RSA PRIVATE KEY":
                    return Import(source, "PKCS#1 RSA", () => ImportRsaPkcs1(der));
                case "EC PRIVATE KEY":
                    return Import(source, "SEC1 EC", () => ImportEcSec1(der));
                case "ENCRYPTED PRIVATE KEY":
                    throw new ModuleSigningKeyException($"{source} is an encrypted private key; decrypt it first (openssl pkey -in KEY -out PLAIN)");
                case "DSA PRIVATE KEY":
                    throw Unsupported(source, "DSA");
            }
        }

        throw new ModuleSigningKeyException($"{source} holds no private key ({PemBlocks.Labels(blocks)})");
    }

    private static AsymmetricAlgorithm ReadDer(ReadOnlySpan<byte> data, string source)
    {
        var der = data.ToArray();
        var (first, second) = Shape(der);
        return (first, second) switch
        {
            // PKCS#8 PrivateKeyInfo: version INTEGER, then the algorithm SEQUENCE.
            (UniversalTagNumber.Integer, UniversalTagNumber.Sequence) => ReadPkcs8(der, source),
            // PKCS#1 RSAPrivateKey: version INTEGER, modulus INTEGER.
            (UniversalTagNumber.Integer, UniversalTagNumber.Integer) => Import(source, "PKCS#1 RSA", () => ImportRsaPkcs1(der)),
            // SEC1 ECPrivateKey: version INTEGER 1, private key OCTET STRING.
            (UniversalTagNumber.Integer, UniversalTagNumber.OctetString) => Import(source, "SEC1 EC", () => ImportEcSec1(der)),
            // EncryptedPrivateKeyInfo: the encryption algorithm SEQUENCE, then the OCTET STRING.
            (UniversalTagNumber.Sequence, UniversalTagNumber.OctetString) => throw new ModuleSigningKeyException($"{source} is an encrypted private key; decrypt it first (openssl pkey -in KEY -out PLAIN)"),
            // Certificate: tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE.
            (UniversalTagNumber.Sequence, UniversalTagNumber.Sequence) => throw new ModuleSigningKeyException($"{source} is a certificate, not a private key"),
            _ => throw new ModuleSigningKeyException($"{source} is neither a PEM private key nor a DER one (PKCS#8, PKCS#1 or SEC1)"),
        };
    }

    private static (UniversalTagNumber? First, UniversalTagNumber? Second) Shape(byte[] der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            var first = Universal(outer.PeekTag());
            outer.ReadEncodedValue();
            return (first, outer.HasData ? Universal(outer.PeekTag()) : null);
        }
        catch (AsnContentException)
        {
            return (null, null);
        }
    }

    private static UniversalTagNumber? Universal(Asn1Tag tag) => tag.TagClass == TagClass.Universal ? (UniversalTagNumber)tag.TagValue : null;

    private static AsymmetricAlgorithm ReadPkcs8(byte[] der, string source)
    {
        string algorithm;
        try
        {
            var info = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            info.ReadInteger();
            algorithm = info.ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException ex)
        {
            throw new ModuleSigningKeyException($"{source} is not a valid PKCS#8 private key: {ex.Message}", ex);
        }

        return algorithm switch
        {
            SignatureAlgorithms.RsaEncryption => Import(source, "PKCS#8 RSA", () => ImportRsaPkcs8(der)),
            SignatureAlgorithms.EcPublicKey => Import(source, "PKCS#8 EC", () => ImportEcPkcs8(der)),
            Ed25519 => throw Unsupported(source, "Ed25519"),
            Ed448 => throw Unsupported(source, "Ed448"),
            RsaPss => throw Unsupported(source, "RSA-PSS"),
            Dsa => throw Unsupported(source, "DSA"),
            _ => throw Unsupported(source, $"algorithm {algorithm}"),
        };
    }

    private static ModuleSigningKeyException Unsupported(string source, string type) =>
        new($"{source} is an unsupported key type ({type}); kernel module signatures use RSA or ECDSA P-256/P-384 keys");

    private static AsymmetricAlgorithm Import(string source, string format, Func<AsymmetricAlgorithm> import)
    {
        try
        {
            return import();
        }
        catch (CryptographicException ex)
        {
            throw new ModuleSigningKeyException($"{source} is not a valid {format} private key: {ex.Message}", ex);
        }
    }

    private static RSA ImportRsaPkcs8(byte[] der) => Owned(RSA.Create(), key => key.ImportPkcs8PrivateKey(der, out _));

    private static RSA ImportRsaPkcs1(byte[] der) => Owned(RSA.Create(), key => key.ImportRSAPrivateKey(der, out _));

    private static ECDsa ImportEcPkcs8(byte[] der) => Owned(ECDsa.Create(), key => key.ImportPkcs8PrivateKey(der, out _));

    private static ECDsa ImportEcSec1(byte[] der) => Owned(ECDsa.Create(), key => key.ImportECPrivateKey(der, out _));

    private static T Owned<T>(T key, Action<T> import)
        where T : AsymmetricAlgorithm
    {
        try
        {
            import(key);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
