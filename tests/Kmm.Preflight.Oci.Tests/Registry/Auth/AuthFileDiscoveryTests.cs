using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Oci.Tests.Registry.Auth;

public sealed class AuthFileDiscoveryTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("kmm-discovery-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, true);

    private string Write(string relative, string registry, string user)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $$$$"""{"auths":{"{{{{registry}}}}":{"username":"{{{{user}}}}","password":"p"}}}""");
        return path;
    }

    [Test]
    public void Candidates_follow_the_documented_order()
    {
        var environment = new Dictionary<string, string>
        {
            ["REGISTRY_AUTH_FILE"] = "/a/auth.json",
            ["DOCKER_CONFIG"] = "/b",
            ["XDG_RUNTIME_DIR"] = "/run/user/1000",
        };

        var candidates = AuthFileDiscovery.Candidates(environment.GetValueOrDefault, "/home/me");

        Assert.That(candidates, Is.EqualTo(new[] { "/a/auth.json", "/b/config.json", "/home/me/.docker/config.json", "/run/user/1000/containers/auth.json" }));
    }

    [Test]
    public async Task Earlier_files_win_and_later_files_fill_in()
    {
        var authFile = Write("explicit/auth.json", "quay.io", "from-registry-auth-file");
        Write("dockerconfig/config.json", "quay.io", "from-docker-config");
        Write("home/.docker/config.json", "ghcr.io", "from-home");
        Write("run/containers/auth.json", "127.0.0.1:5000", "from-xdg");
        var environment = new Dictionary<string, string>
        {
            ["REGISTRY_AUTH_FILE"] = authFile,
            ["DOCKER_CONFIG"] = Path.Combine(_root, "dockerconfig"),
            ["XDG_RUNTIME_DIR"] = Path.Combine(_root, "run"),
        };

        var provider = AuthFileDiscovery.CreateProvider(null, environment.GetValueOrDefault, Path.Combine(_root, "home"));

        Assert.That((await provider.GetAsync("quay.io"))!.Username, Is.EqualTo("from-registry-auth-file"));
        Assert.That((await provider.GetAsync("ghcr.io"))!.Username, Is.EqualTo("from-home"));
        Assert.That((await provider.GetAsync("127.0.0.1:5000"))!.Username, Is.EqualTo("from-xdg"));
        Assert.That(await provider.GetAsync("docker.io"), Is.Null);
    }

    [Test]
    public async Task Missing_files_are_skipped()
    {
        var environment = new Dictionary<string, string> { ["REGISTRY_AUTH_FILE"] = Path.Combine(_root, "nope.json") };

        Assert.That(AuthFileDiscovery.Find(environment.GetValueOrDefault, Path.Combine(_root, "nohome")), Is.Empty);
        Assert.That(await AuthFileDiscovery.CreateProvider(null, environment.GetValueOrDefault, Path.Combine(_root, "nohome")).GetAsync("quay.io"), Is.Null);
    }

    [Test]
    public void An_explicit_file_that_does_not_exist_is_an_error()
    {
        var error = Assert.Throws<FileNotFoundException>(() => AuthFileDiscovery.CreateProvider(Path.Combine(_root, "missing.json")));
        Assert.That(error!.Message, Does.Contain("missing.json"));
    }
}
