namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>Finds ../shared/testdata next to the repository root (or $KMM_PREFLIGHT_SHARED).</summary>
internal static class SharedTestData
{
    public static string Directory
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("KMM_PREFLIGHT_SHARED");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return Path.Combine(fromEnvironment, "testdata");
            }

            for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "KmmPreflight.sln")))
                {
                    return Path.Combine(dir.FullName, "..", "shared", "testdata");
                }
            }

            throw new DirectoryNotFoundException("KmmPreflight.sln not found above the test directory; set KMM_PREFLIGHT_SHARED.");
        }
    }

    public static byte[] Module(string name) => File.ReadAllBytes(Path.Combine(Directory, "modules", name));
}
