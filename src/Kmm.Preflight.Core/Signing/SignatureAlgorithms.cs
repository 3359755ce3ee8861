using System.Security.Cryptography;

namespace Kmm.Preflight.Core.Signing;

/// <summary>The object identifiers of module signatures, spelled as OpenSSL writes them in a CMS SignedData.</summary>
internal static class SignatureAlgorithms
{
    public const string Data = "1.2.840.113549.1.7.1";
    public const string SignedData = "1.2.840.113549.1.7.2";
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string EcPublicKey = "1.2.840.10045.2.1";

    private const string Sha1 = "1.3.14.3.2.26";
    private const string Sha256 = "2.16.840.1.101.3.4.2.1";
    private const string Sha384 = "2.16.840.1.101.3.4.2.2";
    private const string Sha512 = "2.16.840.1.101.3.4.2.3";

    private const string EcdsaWithSha1 = "1.2.840.10045.4.1";
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    private const string EcdsaWithSha384 = "1.2.840.10045.4.3.3";
    private const string EcdsaWithSha512 = "1.2.840.10045.4.3.4";

    // RSA with the hash in the OID: OpenSSL 3 writes plain rsaEncryption, but other signers may not.
    private const string Sha1WithRsa = "1.2.840.113549.1.1.5";
    private const string Sha256WithRsa = "1.2.840.113549.1.1.11";
    private const string Sha384WithRsa = "1.2.840.113549.1.1.12";
    private const string Sha512WithRsa = "1.2.840.113549.1.1.13";

    public static string DigestOid(ModuleHashAlgorithm hash) => hash switch
    {
        ModuleHashAlgorithm.Sha256 => Sha256,
        ModuleHashAlgorithm.Sha384 => Sha384,
        ModuleHashAlgorithm.Sha512 => Sha512,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, "the hash algorithm must be SHA-256, SHA-384 or SHA-512"),
    };

    public static HashAlgorithmName HashName(ModuleHashAlgorithm hash) => hash switch
    {
        ModuleHashAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        ModuleHashAlgorithm.Sha384 => HashAlgorithmName.SHA384,
        ModuleHashAlgorithm.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, "the hash algorithm must be SHA-256, SHA-384 or SHA-512"),
    };

    public static string EcdsaOid(ModuleHashAlgorithm hash) => hash switch
    {
        ModuleHashAlgorithm.Sha256 => EcdsaWithSha256,
        ModuleHashAlgorithm.Sha384 => EcdsaWithSha384,
        ModuleHashAlgorithm.Sha512 => EcdsaWithSha512,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, "the hash algorithm must be SHA-256, SHA-384 or SHA-512"),
    };

    /// <summary>The name modinfo prints as <c>sig_hashalgo</c> for a digest OID.</summary>
    public static string DigestDisplayName(string oid) => oid switch
    {
        Sha1 => "sha1",
        "2.16.840.1.101.3.4.2.4" => "sha224",
        Sha256 => "sha256",
        Sha384 => "sha384",
        Sha512 => "sha512",
        "2.16.840.1.101.3.4.2.8" => "sha3-256",
        "2.16.840.1.101.3.4.2.9" => "sha3-384",
        "2.16.840.1.101.3.4.2.10" => "sha3-512",
        "1.2.156.10197.1.401" => "sm3",
        _ => oid,
    };

    /// <summary>The .NET hash for a digest OID, or null when .NET cannot compute it.</summary>
    public static HashAlgorithmName? DigestHashName(string oid) => oid switch
    {
        Sha1 => HashAlgorithmName.SHA1,
        Sha256 => HashAlgorithmName.SHA256,
        Sha384 => HashAlgorithmName.SHA384,
        Sha512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    /// <summary>The key type a signature algorithm OID needs: <c>RSA</c>, <c>ECDSA</c>, or null for one we cannot verify.</summary>
    public static string? SignatureKeyType(string oid) => oid switch
    {
        RsaEncryption or Sha1WithRsa or Sha256WithRsa or Sha384WithRsa or Sha512WithRsa => "RSA",
        EcPublicKey or EcdsaWithSha1 or EcdsaWithSha256 or EcdsaWithSha384 or EcdsaWithSha512 => "ECDSA",
        _ => null,
    };
}
