namespace Kmm.Preflight.Core.Tests.Fixtures;

/// <summary>Locates the shared test data: KMM_PREFLIGHT_SHARED, else the repository root's sibling <c>../shared</c>.</summary>
internal static class CoreTestData
{
    public const string Kernel = "6.1.0-56-amd64";

    public static readonly string[] ModuleNames = ["dummy", "failover", "macvlan", "macvtap", "net_failover", "tap", "veth"];

    public static string SharedDirectory
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

            throw new DirectoryNotFoundException("KmmPreflight.sln not found above the test directory; set KMM_PREFLIGHT_SHARED");
        }
    }

    public static string ModulesDirectory => Path.Combine(SharedDirectory, "testdata", "modules");

    public static string ModulePath(string name) => Path.Combine(ModulesDirectory, name + ".ko");

    public static byte[] Module(string name) => File.ReadAllBytes(ModulePath(name));
}
