using System.Buffers.Binary;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Core.Tests.Fixtures;

namespace Kmm.Preflight.Core.Tests.Signing;

public class ModuleSignatureReaderTests
{
    private static IEnumerable<string> RealModules => CoreTestData.ModuleNames;

    [TestCaseSource(nameof(RealModules))]
    public void Signer_key_and_hash_match_modinfo(string name)
    {
        var path = CoreTestData.ModulePath(name);
        var info = ModuleSignatureReader.Read(File.ReadAllBytes(path))!;
        Assert.Multiple(() =>
        {
            Assert.That(info.IdType, Is.EqualTo(Tool.Run("modinfo", "-F", "sig_id", path).TrimEnd('\n')));
            Assert.That(info.Signer, Is.EqualTo(Tool.Run("modinfo", "-F", "signer", path).TrimEnd('\n')));
            Assert.That(info.KeyId, Is.EqualTo(Tool.Run("modinfo", "-F", "sig_key", path).TrimEnd('\n')));
            Assert.That(info.HashAlgorithm, Is.EqualTo(Tool.Run("modinfo", "-F", "sig_hashalgo", path).TrimEnd('\n')));
        });
    }

    [Test]
    public void A_module_without_the_marker_is_unsigned()
    {
        var signed = CoreTestData.Module("dummy");
        var info = ModuleSignatureReader.Read(signed)!;
        var unsigned = signed.AsSpan(0, (int)info.SignedContentLength).ToArray();
        Assert.That(ModuleSignatureReader.IsSigned(unsigned), Is.False);
        Assert.That(ModuleSignatureReader.Read(unsigned), Is.Null);
    }

    [Test]
    public void A_bad_signature_length_is_invalid_data()
    {
        var module = CoreTestData.Module("dummy");
        var lengthAt = module.Length - ModuleSignatureReader.Marker.Length - 4;
        BinaryPrimitives.WriteUInt32BigEndian(module.AsSpan(lengthAt), (uint)module.Length);
        Assert.That(() => ModuleSignatureReader.Read(module), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("does not fit"));
    }

    [Test]
    public void A_corrupt_pkcs7_blob_is_invalid_data()
    {
        var module = CoreTestData.Module("dummy");
        var info = ModuleSignatureReader.Read(module)!;
        Array.Fill(module, (byte)0xFF, (int)info.SignedContentLength, 16);
        Assert.That(() => ModuleSignatureReader.Read(module), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("PKCS#7"));
    }
}
