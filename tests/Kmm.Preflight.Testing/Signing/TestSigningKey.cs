namespace Kmm.Preflight.Testing.Signing;

/// <summary>A key and self-signed certificate made by <c>openssl req -x509 -newkey</c>, as PEM files.</summary>
/// <param name="Name">A short name for test output (e.g. <c>rsa2048</c>).</param>
/// <param name="KeyPath">The PKCS#8 PEM private key.</param>
/// <param name="CertificatePath">The PEM certificate.</param>
/// <param name="Subject">The certificate's subject and issuer common name, what modinfo prints as signer.</param>
public sealed record TestSigningKey(string Name, string KeyPath, string CertificatePath, string Subject)
{
    /// <summary>The key file's bytes.</summary>
    public byte[] Key => File.ReadAllBytes(KeyPath);

    /// <summary>The certificate file's bytes.</summary>
    public byte[] Certificate => File.ReadAllBytes(CertificatePath);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
