using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Testing.Signing;

namespace Kmm.Preflight.Core.Tests.Signing;

/// <summary>RSA PKCS#1 v1.5 is deterministic, so our signed module must be the kernel's sign-file output byte for byte.</summary>
public class SignFileEquivalenceTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var key in new[] { "rsa2048", "rsa4096" })
        {
            foreach (var hash in new[] { ModuleHashAlgorithm.Sha256, ModuleHashAlgorithm.Sha384, ModuleHashAlgorithm.Sha512 })
            {
                yield return new TestCaseData(key, hash).SetArgDisplayNames(key, hash.ToString());
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Rsa_signature_equals_sign_file_byte_for_byte(string keyName, ModuleHashAlgorithm hash)
    {
        var key = keyName == "rsa2048" ? TestSigningKeys.Rsa2048 : TestSigningKeys.Rsa4096;
        var module = SigningTestData.Unsigned("veth");
        var expected = KernelSignFile.Sign(module, hash.ToString().ToLowerInvariant(), key.KeyPath, key.CertificatePath);

        using var signingKey = ModuleSigningKey.Load(key.Key, key.Certificate);
        var signed = ModuleSigner.Sign(module, signingKey, new ModuleSigningOptions { HashAlgorithm = hash });

        Assert.That(Convert.ToHexString(signed[module.Length..]), Is.EqualTo(Convert.ToHexString(expected[module.Length..])));
        Assert.That(signed, Is.EqualTo(expected));
    }

    [TestCaseSource(typeof(CoreTestData), nameof(CoreTestData.ModuleNames))]
    public void Every_real_module_signs_as_sign_file_does(string name)
    {
        var key = TestSigningKeys.Rsa2048;
        var module = SigningTestData.Unsigned(name);
        using var signingKey = ModuleSigningKey.Load(key.Key, key.Certificate);
        Assert.That(ModuleSigner.Sign(module, signingKey), Is.EqualTo(KernelSignFile.Sign(module, "sha256", key.KeyPath, key.CertificatePath)));
    }

    [Test]
    public void Resigning_a_Debian_signed_module_strips_its_signature_first()
    {
        var key = TestSigningKeys.Rsa2048;
        using var signingKey = ModuleSigningKey.Load(key.Key, key.Certificate);
        var fromSigned = ModuleSigner.Sign(CoreTestData.Module("tap"), signingKey);
        Assert.That(fromSigned, Is.EqualTo(ModuleSigner.Sign(SigningTestData.Unsigned("tap"), signingKey)));
        Assert.That(fromSigned, Is.EqualTo(KernelSignFile.Sign(SigningTestData.Unsigned("tap"), "sha256", key.KeyPath, key.CertificatePath)));
    }

    [Test]
    public void Signing_twice_gives_the_same_bytes_as_signing_once()
    {
        using var signingKey = ModuleSigningKey.Load(TestSigningKeys.Rsa2048.Key, TestSigningKeys.Rsa2048.Certificate);
        var once = ModuleSigner.Sign(SigningTestData.Unsigned("dummy"), signingKey);
        Assert.That(ModuleSigner.Sign(once, signingKey), Is.EqualTo(once));
    }
}
