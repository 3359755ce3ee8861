using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kmm.Preflight.Core.Signing;

/// <summary>The key types the kernel verifies module signatures with (RSA, ECDSA on P-256 or P-384), and key/certificate matching.</summary>
internal static class SigningKeyType
{
    private const string P256 = "1.2.840.10045.3.1.7";
    private const string P384 = "1.3.132.0.34";

    /// <summary>The certificate's key type as <c>RSA 2048</c> or <c>ECDSA P-256</c>.</summary>
    /// <exception cref="ModuleSigningKeyException">The certificate's key is neither RSA nor ECDSA on P-256/P-384.</exception>
    public static string Describe(X509Certificate2 certificate, string source)
    {
        using (var rsa = certificate.GetRSAPublicKey())
        {
            if (rsa is not null)
            {
                return $"RSA {rsa.KeySize}";
            }
        }

        using (var ecdsa = ReadEcdsa(certificate, source))
        {
            if (ecdsa is not null)
            {
                return $"ECDSA {CurveName(ecdsa.ExportParameters(false).Curve, source)}";
            }
        }

        throw new ModuleSigningKeyException($"{source} has an unsupported key type ({certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value}); kernel module signatures use RSA or ECDSA P-256/P-384 keys");
    }

    /// <summary>Whether <paramref name="key"/> is the private half of the certificate's public key.</summary>
    public static bool Matches(AsymmetricAlgorithm key, X509Certificate2 certificate)
    {
        switch (key)
        {
            case RSA rsa:
            {
                using var publicKey = certificate.GetRSAPublicKey();
                if (publicKey is null)
                {
                    return false;
                }

                RSAParameters mine = rsa.ExportParameters(false), theirs = publicKey.ExportParameters(false);
                return mine.Modulus.AsSpan().SequenceEqual(theirs.Modulus) && mine.Exponent.AsSpan().SequenceEqual(theirs.Exponent);
            }

            case ECDsa ecdsa:
            {
                using var publicKey = certificate.GetECDsaPublicKey();
                if (publicKey is null)
                {
                    return false;
                }

                ECParameters mine = ecdsa.ExportParameters(false), theirs = publicKey.ExportParameters(false);
                return mine.Curve.Oid.Value == theirs.Curve.Oid.Value
                    && mine.Q.X.AsSpan().SequenceEqual(theirs.Q.X) && mine.Q.Y.AsSpan().SequenceEqual(theirs.Q.Y);
            }

            default:
                return false;
        }
    }

    private static ECDsa? ReadEcdsa(X509Certificate2 certificate, string source)
    {
        try
        {
            return certificate.GetECDsaPublicKey();
        }
        catch (CryptographicException ex)
        {
            // An explicit or unknown curve: the kernel knows only named NIST curves.
            throw new ModuleSigningKeyException($"{source} has an EC key on a curve that cannot be used: {ex.Message}", ex);
        }
    }

    private static string CurveName(ECCurve curve, string source) => curve.Oid.Value switch
    {
        P256 => "P-256",
        P384 => "P-384",
        _ => throw new ModuleSigningKeyException($"{source} has an ECDSA key on curve {curve.Oid.FriendlyName ?? curve.Oid.Value}; kernel module signatures use P-256 or P-384"),
    };
}
