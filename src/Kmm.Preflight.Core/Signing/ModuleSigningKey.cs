using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// A private key and its certificate, checked to belong together, ready to sign modules: what KMM's signing Secret
/// holds in its <c>key</c> and <c>cert</c> data, or the kernel's <c>signing_key.pem</c> (both in one PEM file).
/// Keys are RSA (PKCS#8 or PKCS#1) or ECDSA P-256/P-384 (PKCS#8 or SEC1), in PEM or DER; certificates X.509 in PEM or DER.
/// </summary>
public sealed class ModuleSigningKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;

    private ModuleSigningKey(AsymmetricAlgorithm key, X509Certificate2 certificate, string keyType)
    {
        _key = key;
        Certificate = certificate;
        KeyType = keyType;
        Identity = CertificateIdentity.From(certificate);
    }

    /// <summary>The certificate whose issuer and serial name the signer in each signature.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The key type, e.g. <c>RSA 4096</c> or <c>ECDSA P-256</c>.</summary>
    public string KeyType { get; }

    /// <summary>The signer name modinfo prints for modules signed with this key (the certificate issuer's common name).</summary>
    public string Signer => Identity.Signer;

    internal CertificateIdentity Identity { get; }

    internal AsymmetricAlgorithm PrivateKey => _key;

    /// <summary>Loads a key and a certificate, each PEM or DER bytes (e.g. a Secret's <c>key</c> and <c>cert</c> data).</summary>
    /// <exception cref="ModuleSigningKeyException">
    /// Either is unreadable, encrypted or of an unsupported type, or the key does not match the certificate's public key.
    /// </exception>
    public static ModuleSigningKey Load(ReadOnlySpan<byte> key, ReadOnlySpan<byte> certificate) =>
        Load(key, "the key", certificate, "the certificate");

    /// <summary>Loads a PEM file's bytes holding both the private key and the certificate, as the kernel's <c>signing_key.pem</c>.</summary>
    /// <exception cref="ModuleSigningKeyException">
    /// The key or the certificate is missing, unreadable, encrypted or of an unsupported type, or they do not match.
    /// </exception>
    public static ModuleSigningKey Load(ReadOnlySpan<byte> keyAndCertificate) =>
        Load(keyAndCertificate, "the key", keyAndCertificate, "the certificate");

    /// <summary>Loads the key file <paramref name="keyPath"/> and the certificate file <paramref name="certificatePath"/> (may be the same file).</summary>
    /// <exception cref="ModuleSigningKeyException">
    /// Either is unreadable, encrypted or of an unsupported type, or they do not match; the message names the file.
    /// </exception>
    /// <exception cref="IOException">A file cannot be read (<see cref="FileNotFoundException"/> when missing).</exception>
    /// <exception cref="UnauthorizedAccessException">A file may not be read.</exception>
    public static async Task<ModuleSigningKey> LoadFilesAsync(string keyPath, string certificatePath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyPath);
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        var key = await File.ReadAllBytesAsync(keyPath, cancellationToken);
        var certificate = await File.ReadAllBytesAsync(certificatePath, cancellationToken);
        return Load(key, $"key file {keyPath}", certificate, $"certificate file {certificatePath}");
    }

    /// <summary>Releases the private key and the certificate.</summary>
    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    private static ModuleSigningKey Load(ReadOnlySpan<byte> key, string keySource, ReadOnlySpan<byte> certificate, string certificateSource)
    {
        var cert = CertificateReader.Read(certificate, certificateSource);
        AsymmetricAlgorithm? privateKey = null;
        try
        {
            var keyType = SigningKeyType.Describe(cert, certificateSource);
            privateKey = PrivateKeyReader.Read(key, keySource);
            if (!SigningKeyType.Matches(privateKey, cert))
            {
                var what = privateKey is RSA ? $"RSA {privateKey.KeySize}" : $"ECDSA {privateKey.KeySize}-bit";
                throw new ModuleSigningKeyException(
                    $"{keySource} ({what}) does not match the public key ({keyType}) of {certificateSource} (subject '{cert.Subject}', serial {cert.SerialNumber})");
            }

            return new ModuleSigningKey(privateKey, cert, keyType);
        }
        catch
        {
            privateKey?.Dispose();
            cert.Dispose();
            throw;
        }
    }
}
