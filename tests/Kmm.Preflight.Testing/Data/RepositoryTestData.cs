using NUnit.Framework;

namespace Kmm.Preflight.Testing.Data;

/// <summary>
/// Locates the repository's own test data, <c>tests/testdata/</c> (real signed Debian kernel modules; see its
/// README for their origin). The repository root is the first directory above the test binaries holding
/// KmmPreflight.sln, so a bare clone needs nothing beside it.
/// </summary>
public static class RepositoryTestData
{
    /// <summary>The <c>tests/testdata</c> directory.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "KmmPreflight.sln")))
                {
                    return Path.Combine(dir.FullName, "tests", "testdata");
                }
            }

            throw new DirectoryNotFoundException($"KmmPreflight.sln not found above the test directory {TestContext.CurrentContext.TestDirectory}.");
        }
    }

    /// <summary>The directory of real signed kernel modules.</summary>
    public static string ModulesDirectory => Path.Combine(Root, "modules");

    /// <summary>The bytes of the module file <paramref name="fileName"/> (e.g. <c>tap.ko</c>).</summary>
    public static byte[] Module(string fileName) => File.ReadAllBytes(Path.Combine(ModulesDirectory, fileName));
}
