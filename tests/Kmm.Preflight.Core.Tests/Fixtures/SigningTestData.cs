using Kmm.Preflight.Testing.Signing;

namespace Kmm.Preflight.Core.Tests.Fixtures;

/// <summary>Real modules with Debian's signature cut off (by the trailer, without the code under test), and modinfo of bytes.</summary>
internal static class SigningTestData
{
    public static byte[] Unsigned(string name) => SignedModuleParts.Of(CoreTestData.Module(name)).Content;

    /// <summary>modinfo's field <paramref name="field"/> (<c>signer</c>, <c>sig_hashalgo</c>…) of <paramref name="module"/> saved as <paramref name="fileName"/>.</summary>
    public static string ModInfo(byte[] module, string field, string fileName = "module.ko")
    {
        var directory = Directory.CreateTempSubdirectory("kmm-modinfo-");
        try
        {
            var path = Path.Combine(directory.FullName, fileName);
            File.WriteAllBytes(path, module);
            return SigningTools.Run("modinfo", "-F", field, path).TrimEnd('\n');
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
