using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Testing.Signing;

namespace Kmm.Preflight.Core.Tests.Signing;

/// <summary>Keys and certificates in every form sign-file takes, and one-line errors naming what is wrong.</summary>
public class ModuleSigningKeyTests
{
    private DirectoryInfo _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("kmm-signing-key-");

    [TearDown]
    public void DeleteDirectory() => _directory.Delete(recursive: true);

    [TestCase("pkcs8-pem")]
    [TestCase("pkcs1-pem")]
    [TestCase("pkcs8-der")]
    [TestCase("pkcs1-der")]
    public void Rsa_key_forms_sign_identically(string form)
    {
        var key = TestSigningKeys.Rsa2048;
        var keyBytes = form switch
        {
            "pkcs8-pem" => key.Key,
            "pkcs1-pem" => OpenSsl("pkey", "-in", key.KeyPath, "-traditional"),
            "pkcs8-der" => OpenSsl("pkey", "-in", key.KeyPath, "-outform", "DER"),
            _ => OpenSsl("rsa", "-in", key.KeyPath, "-outform", "DER", "-traditional"),
        };
        var certificate = form.EndsWith("der") ? OpenSsl("x509", "-in", key.CertificatePath, "-outform", "DER") : key.Certificate;

        using var signingKey = ModuleSigningKey.Load(keyBytes, certificate);
        Assert.That(signingKey.KeyType, Is.EqualTo("RSA 2048"));
        Assert.That(signingKey.Signer, Is.EqualTo(key.Subject));
        var module = SigningTestData.Unsigned("dummy");
        Assert.That(ModuleSigner.Sign(module, signingKey), Is.EqualTo(KernelSignFile.Sign(module, "sha256", key.KeyPath, key.CertificatePath)));
    }

    [Test]
    public void One_pem_with_key_and_certificate_loads_as_signing_key_pem_does()
    {
        var key = TestSigningKeys.Rsa4096;
        var combined = key.Key.Concat(key.Certificate).ToArray();
        using var signingKey = ModuleSigningKey.Load(combined);
        Assert.That(signingKey.KeyType, Is.EqualTo("RSA 4096"));
    }

    [Test]
    public void Sec1_ec_key_loads()
    {
        var key = TestSigningKeys.EcP256;
        using var signingKey = ModuleSigningKey.Load(OpenSsl("ec", "-in", key.KeyPath), key.Certificate);
        Assert.That(signingKey.KeyType, Is.EqualTo("ECDSA P-256"));
    }

    [Test]
    public void A_key_of_another_certificate_is_refused_naming_both()
    {
        var error = Refused(TestSigningKeys.Foreign.Key, TestSigningKeys.Rsa2048.Certificate);
        Assert.That(error, Does.Contain("does not match").And.Contain("Kmm test RSA 2048"));
    }

    [Test]
    public void An_ec_key_for_an_rsa_certificate_is_refused() =>
        Assert.That(Refused(TestSigningKeys.EcP256.Key, TestSigningKeys.Rsa2048.Certificate), Does.Contain("does not match"));

    [Test]
    public void Garbage_is_neither_pem_nor_der() =>
        Assert.That(Refused("not a key"u8.ToArray(), TestSigningKeys.Rsa2048.Certificate), Does.Contain("the key is neither a PEM private key nor a DER one"));

    [Test]
    public void A_certificate_given_as_key_is_named() =>
        Assert.That(Refused(TestSigningKeys.Rsa2048.Certificate, TestSigningKeys.Rsa2048.Certificate), Does.Contain("holds no private key").And.Contain("CERTIFICATE"));

    [Test]
    public void An_encrypted_key_asks_to_decrypt_it_first()
    {
        var encrypted = OpenSsl("pkey", "-in", TestSigningKeys.Rsa2048.KeyPath, "-aes256", "-passout", "pass:secret");
        Assert.That(Refused(encrypted, TestSigningKeys.Rsa2048.Certificate), Does.Contain("encrypted"));
    }

    [Test]
    public void An_ed25519_key_is_an_unsupported_type()
    {
        var keyPath = Path.Combine(_directory.FullName, "ed.key");
        var certPath = Path.Combine(_directory.FullName, "ed.crt");
        SigningTools.Run("openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", keyPath, "-out", certPath, "-days", "1", "-subj", "/CN=ed");
        Assert.That(Refused(File.ReadAllBytes(keyPath), File.ReadAllBytes(certPath)), Does.Contain("unsupported key type"));
        Assert.That(Refused(File.ReadAllBytes(keyPath), TestSigningKeys.Rsa2048.Certificate), Does.Contain("unsupported key type (Ed25519)"));
    }

    [Test]
    public void A_missing_certificate_is_named()
    {
        var error = Refused(TestSigningKeys.Rsa2048.Key, TestSigningKeys.Rsa2048.Key);
        Assert.That(error, Does.Contain("the certificate holds no certificate").And.Contain("PRIVATE KEY"));
    }

    [Test]
    public void File_errors_name_the_file()
    {
        var bad = Path.Combine(_directory.FullName, "bad.pem");
        File.WriteAllText(bad, "junk");
        Assert.That(async () => await ModuleSigningKey.LoadFilesAsync(bad, TestSigningKeys.Rsa2048.CertificatePath),
            Throws.TypeOf<ModuleSigningKeyException>().With.Message.Contains("key file " + bad));
    }

    private static string Refused(byte[] key, byte[] certificate)
    {
        var error = Assert.Throws<ModuleSigningKeyException>(() => ModuleSigningKey.Load(key, certificate).Dispose())!;
        Assert.That(error.Message, Does.Not.Contain("\n"));
        return error.Message;
    }

    private byte[] OpenSsl(params string[] arguments)
    {
        var output = Path.Combine(_directory.FullName, Guid.NewGuid().ToString("N"));
        SigningTools.Run("openssl", [.. arguments, "-out", output]);
        return File.ReadAllBytes(output);
    }
}
