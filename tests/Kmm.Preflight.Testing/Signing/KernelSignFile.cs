namespace Kmm.Preflight.Testing.Signing;

/// <summary>The kernel's own <c>scripts/sign-file</c> (Debian <c>linux-kbuild-6.1</c>), the reference our signer must equal.</summary>
public static class KernelSignFile
{
    /// <summary>What <c>sign-file HASH KEY CERT MODULE DEST</c> makes of <paramref name="module"/>.</summary>
    public static byte[] Sign(byte[] module, string hash, string keyPath, string certificatePath)
    {
        var directory = Directory.CreateTempSubdirectory("kmm-sign-file-");
        try
        {
            var input = Path.Combine(directory.FullName, "module.ko");
            var output = Path.Combine(directory.FullName, "signed.ko");
            File.WriteAllBytes(input, module);
            SigningTools.Run("sign-file", hash, keyPath, certificatePath, input, output);
            return File.ReadAllBytes(output);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
