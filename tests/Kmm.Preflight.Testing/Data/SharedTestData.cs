using NUnit.Framework;

namespace Kmm.Preflight.Testing.Data;

/// <summary>
/// Locates the shared test data (real signed kernel modules…): <c>$KMM_PREFLIGHT_SHARED</c>, else the repository
/// root's sibling <c>../shared</c>, the root being the first directory above the test binaries holding KmmPreflight.sln.
/// </summary>
public static class SharedTestData
{
    /// <summary>The shared directory (it holds <c>testdata/</c>).</summary>
    public static string Root
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("KMM_PREFLIGHT_SHARED");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return fromEnvironment;
            }

            for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "KmmPreflight.sln")))
                {
                    return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
                }
            }

            throw new DirectoryNotFoundException("KmmPreflight.sln not found above the test directory; set KMM_PREFLIGHT_SHARED.");
        }
    }

    /// <summary>The directory of real signed kernel modules.</summary>
    public static string ModulesDirectory => Path.Combine(Root, "testdata", "modules");

    /// <summary>The bytes of the module file <paramref name="fileName"/> (e.g. <c>tap.ko</c>).</summary>
    public static byte[] Module(string fileName) => File.ReadAllBytes(Path.Combine(ModulesDirectory, fileName));
}
