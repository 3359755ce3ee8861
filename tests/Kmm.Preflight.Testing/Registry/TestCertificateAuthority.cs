using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kmm.Preflight.Testing.Registry;

/// <summary>
/// A throw-away certificate authority for tests: issues server certificates for 127.0.0.1/localhost and
/// JWT-signing certificates, and writes them as PEM files.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly RSA _key;

    /// <summary>Creates a new self-signed CA valid for a day.</summary>
    public TestCertificateAuthority(string commonName = "kmm-preflight test CA")
    {
        _key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>The CA certificate (with its private key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Issues a TLS server certificate for <c>127.0.0.1</c>, <c>::1</c> and <c>localhost</c>.</summary>
    /// <returns>The certificate with its private key, usable by <see cref="System.Net.Security.SslStream"/>.</returns>
    public X509Certificate2 IssueServerCertificate(string commonName = "127.0.0.1")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return Issue(request, key);
    }

    /// <summary>Issues a certificate whose RSA key signs JWTs (no extended key usage, so any use is allowed).</summary>
    public X509Certificate2 IssueSigningCertificate(string commonName = "kmm-preflight test token signer")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        return Issue(request, key);
    }

    /// <summary>Writes the CA certificate as PEM.</summary>
    public void WriteCertificatePem(string path) => File.WriteAllText(path, Certificate.ExportCertificatePem());

    /// <summary>Writes a certificate and its private key (PKCS#8) as two PEM files.</summary>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException("certificate has no RSA private key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    private X509Certificate2 Issue(CertificateRequest request, RSA key)
    {
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        // Round-trip through PKCS#12 so the key is not ephemeral and SslStream can use it on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
