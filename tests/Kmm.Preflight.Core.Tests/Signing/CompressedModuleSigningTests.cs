using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Testing.Signing;

namespace Kmm.Preflight.Core.Tests.Signing;

/// <summary>Compressed modules are signed decompressed and compressed again; the real decompressors and judges read the result.</summary>
public class CompressedModuleSigningTests
{
    [TestCase("xz", "xz", "xz")]
    [TestCase("zst", "zstd", "zstd")]
    [TestCase("gz", "gzip", "gzip")]
    public async Task Signed_compressed_module_decompresses_with_the_real_tool_and_verifies(string suffix, string format, string tool)
    {
        var key = TestSigningKeys.Rsa2048;
        var unsigned = SigningTestData.Unsigned("veth");
        // Start from the Debian-signed module, compressed by the real tool, as a distribution would ship it.
        var compressed = Tool.Compress(CoreTestData.Module("veth"), suffix);
        using var signingKey = ModuleSigningKey.Load(key.Key, key.Certificate);

        var signed = await ModuleSigner.SignAsync(compressed, signingKey);

        Assert.That(ModuleCompression.Detect(signed), Is.EqualTo(format));
        var decompressed = Decompress(signed, tool, suffix);
        Assert.That(decompressed, Is.EqualTo(KernelSignFile.Sign(unsigned, "sha256", key.KeyPath, key.CertificatePath)));
        var (exitCode, error) = SignedModuleParts.Of(decompressed).VerifyWithOpenSsl(key.CertificatePath);
        Assert.That(exitCode, Is.Zero, error);
        Assert.That(SigningTestData.ModInfo(decompressed, "signer"), Is.EqualTo(key.Subject));
        Assert.That((await ModuleSignatureVerifier.VerifyAsync(signed, signingKey.Certificate)).Status, Is.EqualTo(ModuleSignatureStatus.Valid));
    }

    [Test]
    public async Task Signed_xz_module_uses_the_crc32_check_the_kernel_decoder_needs()
    {
        using var signingKey = ModuleSigningKey.Load(TestSigningKeys.EcP256.Key, TestSigningKeys.EcP256.Certificate);
        var signed = await ModuleSigner.SignAsync(Tool.Compress(CoreTestData.Module("tap"), "xz"), signingKey);
        var path = Path.Combine(Directory.CreateTempSubdirectory("kmm-xz-").FullName, "tap.ko.xz");
        try
        {
            File.WriteAllBytes(path, signed);
            var list = SigningTools.Run("xz", "--robot", "--list", path);
            Assert.That(list, Does.Contain("\tCRC32\t"));
            SigningTools.Run("xz", "-t", path);
            // kmod reads .ko.xz itself.
            Assert.That(SigningTools.Run("modinfo", "-F", "signer", path).TrimEnd('\n'), Is.EqualTo(TestSigningKeys.EcP256.Subject));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Signing_a_file_in_place_keeps_its_compression_and_mode()
    {
        var key = TestSigningKeys.Rsa2048;
        var directory = Directory.CreateTempSubdirectory("kmm-sign-in-place-");
        try
        {
            var path = Path.Combine(directory.FullName, "dummy.ko.zst");
            File.WriteAllBytes(path, Tool.Compress(CoreTestData.Module("dummy"), "zst"));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            using var signingKey = await ModuleSigningKey.LoadFilesAsync(key.KeyPath, key.CertificatePath);

            await ModuleSigner.SignFileAsync(path, signingKey, new ModuleSigningOptions { HashAlgorithm = ModuleHashAlgorithm.Sha384 });

            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
            Assert.That(Directory.GetFiles(directory.FullName), Has.Length.EqualTo(1), "no temporary file is left behind");
            var decompressed = Decompress(File.ReadAllBytes(path), "zstd", "zst");
            Assert.That(decompressed, Is.EqualTo(KernelSignFile.Sign(SigningTestData.Unsigned("dummy"), "sha384", key.KeyPath, key.CertificatePath)));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static byte[] Decompress(byte[] data, string tool, string suffix)
    {
        var directory = Directory.CreateTempSubdirectory("kmm-decompress-");
        try
        {
            var path = Path.Combine(directory.FullName, "module.ko." + suffix);
            File.WriteAllBytes(path, data);
            SigningTools.Run(tool, "-d", "-q", "-k", path);
            return File.ReadAllBytes(Path.Combine(directory.FullName, "module.ko"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
