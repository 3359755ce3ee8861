using System.Buffers.Binary;

namespace Kmm.Preflight.Testing.Signing;

/// <summary>
/// A signed module cut by its trailer, independently of the code under test: what <c>openssl cms -verify</c> needs
/// (the signature and the content it covers).
/// </summary>
/// <param name="Content">The bytes before the signature.</param>
/// <param name="Signature">The DER signature.</param>
public sealed record SignedModuleParts(byte[] Content, byte[] Signature)
{
    private const int MarkerLength = 28;
    private const int TrailerLength = 12;

    /// <summary>The parts of <paramref name="module"/>, which must end with the marker.</summary>
    public static SignedModuleParts Of(byte[] module)
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(module.AsSpan(module.Length - MarkerLength - 4));
        var signatureAt = module.Length - MarkerLength - TrailerLength - length;
        return new SignedModuleParts(module[..signatureAt], module[signatureAt..(signatureAt + length)]);
    }

    /// <summary>Runs <c>openssl cms -verify</c> on the parts with <paramref name="certificatePath"/> as the signer; returns its exit code and stderr.</summary>
    public (int ExitCode, string Error) VerifyWithOpenSsl(string certificatePath)
    {
        var directory = Directory.CreateTempSubdirectory("kmm-cms-verify-");
        try
        {
            var signature = Path.Combine(directory.FullName, "sig.der");
            var content = Path.Combine(directory.FullName, "module.bin");
            File.WriteAllBytes(signature, Signature);
            File.WriteAllBytes(content, Content);
            var (exitCode, _, error) = SigningTools.TryRun(
                "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", signature, "-content", content,
                "-certfile", certificatePath, "-noverify", "-out", "/dev/null");
            return (exitCode, error);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
