using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kmm.Preflight.Core.Signing;

/// <summary>Reads an X.509 certificate from PEM (the first <c>CERTIFICATE</c> block, other blocks ignored) or DER.</summary>
internal static class CertificateReader
{
    /// <summary>The certificate in <paramref name="data"/>; the caller disposes it.</summary>
    /// <exception cref="ModuleSigningKeyException">No readable certificate: names what was found instead.</exception>
    public static X509Certificate2 Read(ReadOnlySpan<byte> data, string source)
    {
        if (data.IsEmpty)
        {
            throw new ModuleSigningKeyException($"{source} is empty");
        }

        var blocks = PemBlocks.Read(data, source);
        byte[] der;
        if (blocks is null)
        {
            der = data.ToArray();
        }
        else
        {
            var certificate = blocks.FirstOrDefault(b => b.Label is "CERTIFICATE" or "X509 CERTIFICATE");
            der = certificate.Der ?? throw new ModuleSigningKeyException($"{source} holds no certificate ({PemBlocks.Labels(blocks)})");
        }

        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException ex)
        {
            throw new ModuleSigningKeyException($"{source} is not a PEM or DER X.509 certificate: {ex.Message}", ex);
        }
    }
}
