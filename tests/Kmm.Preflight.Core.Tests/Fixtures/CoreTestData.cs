using Kmm.Preflight.Testing.Data;

namespace Kmm.Preflight.Core.Tests.Fixtures;

/// <summary>The real kernel modules the Core tests use (tests/testdata) (located by <see cref="RepositoryTestData"/>).</summary>
internal static class CoreTestData
{
    public const string Kernel = "6.1.0-56-amd64";

    public static readonly string[] ModuleNames = ["dummy", "failover", "macvlan", "macvtap", "net_failover", "tap", "veth"];

    public static string ModulesDirectory => RepositoryTestData.ModulesDirectory;

    public static string ModulePath(string name) => Path.Combine(ModulesDirectory, name + ".ko");

    public static byte[] Module(string name) => File.ReadAllBytes(ModulePath(name));
}
