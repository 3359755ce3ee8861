using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Testing.Signing;

namespace Kmm.Preflight.Core.Tests.Signing;

/// <summary>kmod's modinfo and OpenSSL judge what we sign, including ECDSA, which cannot equal sign-file's bytes.</summary>
public class IndependentCheckTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var key in new[] { "rsa2048", "rsa4096", "ecp256", "ecp384" })
        {
            foreach (var hash in new[] { ModuleHashAlgorithm.Sha256, ModuleHashAlgorithm.Sha384, ModuleHashAlgorithm.Sha512 })
            {
                yield return new TestCaseData(key, hash).SetArgDisplayNames(key, hash.ToString());
            }
        }
    }

    internal static TestSigningKey Key(string name) => name switch
    {
        "rsa2048" => TestSigningKeys.Rsa2048,
        "rsa4096" => TestSigningKeys.Rsa4096,
        "ecp256" => TestSigningKeys.EcP256,
        "ecp384" => TestSigningKeys.EcP384,
        _ => throw new ArgumentException(name),
    };

    [TestCaseSource(nameof(Cases))]
    public void Modinfo_reads_signer_key_and_hash(string keyName, ModuleHashAlgorithm hash)
    {
        var key = Key(keyName);
        using var signingKey = ModuleSigningKey.Load(key.Key, key.Certificate);
        var signed = ModuleSigner.Sign(SigningTestData.Unsigned("dummy"), signingKey, new ModuleSigningOptions { HashAlgorithm = hash });

        Assert.Multiple(() =>
        {
            Assert.That(SigningTestData.ModInfo(signed, "signer"), Is.EqualTo(key.Subject));
            Assert.That(SigningTestData.ModInfo(signed, "sig_hashalgo"), Is.EqualTo(hash.ToString().ToLowerInvariant()));
            Assert.That(SigningTestData.ModInfo(signed, "sig_id"), Is.EqualTo("PKCS#7"));
            Assert.That(SigningTestData.ModInfo(signed, "sig_key"), Is.EqualTo(SerialAsModinfoPrints(key)));
            Assert.That(SigningTestData.ModInfo(signed, "vermagic"), Does.StartWith(CoreTestData.Kernel + " "));
        });
    }

    [TestCaseSource(nameof(Cases))]
    public void Openssl_cms_verify_accepts_the_signature(string keyName, ModuleHashAlgorithm hash)
    {
        var key = Key(keyName);
        using var signingKey = ModuleSigningKey.Load(key.Key, key.Certificate);
        var module = SigningTestData.Unsigned("macvlan");
        var signed = ModuleSigner.Sign(module, signingKey, new ModuleSigningOptions { HashAlgorithm = hash });

        var parts = SignedModuleParts.Of(signed);
        Assert.That(parts.Content, Is.EqualTo(module));
        var (exitCode, error) = parts.VerifyWithOpenSsl(key.CertificatePath);
        Assert.That(exitCode, Is.Zero, error);
        Assert.That(error, Does.Contain("Verification successful"));
    }

    [TestCase("ecp256")]
    [TestCase("ecp384")]
    public void Ecdsa_signature_has_sign_file_structure(string keyName)
    {
        // Same structure as sign-file's, only the random (r, s) differs: compare everything but the signature value.
        var key = Key(keyName);
        var module = SigningTestData.Unsigned("dummy");
        var theirs = SignedModuleParts.Of(KernelSignFile.Sign(module, "sha256", key.KeyPath, key.CertificatePath)).Signature;
        using var signingKey = ModuleSigningKey.Load(key.Key, key.Certificate);
        var ours = SignedModuleParts.Of(ModuleSigner.Sign(module, signingKey)).Signature;
        Assert.That(Structure(ours), Is.EqualTo(Structure(theirs)));
    }

    [TestCase("rsa2048")]
    [TestCase("ecp256")]
    public void Our_verifier_accepts_sign_file_output(string keyName)
    {
        var key = Key(keyName);
        var signed = KernelSignFile.Sign(SigningTestData.Unsigned("tap"), "sha512", key.KeyPath, key.CertificatePath);
        var result = ModuleSignatureVerifier.Verify(signed, key.Certificate);
        Assert.That(result.Status, Is.EqualTo(ModuleSignatureStatus.Valid), result.Message);
        Assert.That(result.Message, Does.Contain(key.Subject).And.Contain("sha512"));
    }

    private static string SerialAsModinfoPrints(TestSigningKey key)
    {
        var output = SigningTools.Run("openssl", "x509", "-in", key.CertificatePath, "-noout", "-serial");
        var hex = output.Trim()["serial=".Length..];
        return string.Join(':', Convert.FromHexString(hex.Length % 2 == 0 ? hex : "0" + hex).SkipWhile(b => b == 0).Select(b => b.ToString("X2")));
    }

    private static string Structure(byte[] der)
    {
        // openssl asn1parse without the values of the final OCTET STRING (the signature) and the offsets/lengths it shifts.
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, der);
            var lines = SigningTools.Run("openssl", "asn1parse", "-inform", "DER", "-in", path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', lines.Select(l => l[(l.IndexOf("d=", StringComparison.Ordinal))..]).Select(l => l.Contains("OCTET STRING") ? "OCTET STRING" : System.Text.RegularExpressions.Regex.Replace(l, @"hl=\d+ l= *\d+", string.Empty)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
