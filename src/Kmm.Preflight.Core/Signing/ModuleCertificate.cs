using System.Security.Cryptography.X509Certificates;

namespace Kmm.Preflight.Core.Signing;

/// <summary>Loads the certificate module signatures are checked against, as <see cref="ModuleSignatureVerifier"/> needs it.</summary>
public static class ModuleCertificate
{
    /// <summary>
    /// The X.509 certificate in <paramref name="certificate"/>: DER, or PEM (the first <c>CERTIFICATE</c> block; a PEM
    /// that also holds the private key, as <c>signing_key.pem</c>, works). The caller disposes it.
    /// </summary>
    /// <exception cref="ModuleSigningKeyException">No readable certificate, or its key is neither RSA nor ECDSA P-256/P-384.</exception>
    public static X509Certificate2 Load(ReadOnlySpan<byte> certificate) => Load(certificate, "the certificate");

    /// <summary>The X.509 certificate in the PEM or DER file <paramref name="path"/>; the caller disposes it.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ModuleSigningKeyException">No readable certificate, or an unsupported key type; the message names the file.</exception>
    /// <exception cref="IOException">The file cannot be read (<see cref="FileNotFoundException"/> when missing).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static async Task<X509Certificate2> LoadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Load(await File.ReadAllBytesAsync(path, cancellationToken), $"certificate file {path}");
    }

    private static X509Certificate2 Load(ReadOnlySpan<byte> certificate, string source)
    {
        var cert = CertificateReader.Read(certificate, source);
        try
        {
            SigningKeyType.Describe(cert, source);
            return cert;
        }
        catch
        {
            cert.Dispose();
            throw;
        }
    }
}
