using System.Text;
using System.Text.Json;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>inspect, ls and cat against a real docker-registry in each set-up: plain HTTP, htpasswd, TLS, token.</summary>
[TestFixture(RegistryMode.PlainHttp)]
[TestFixture(RegistryMode.BasicAuth)]
[TestFixture(RegistryMode.Tls)]
[TestFixture(RegistryMode.TokenAuth)]
[NonParallelizable]
public class RegistryCommandTests : EndToEndTest
{
    private const string Kernel = "6.1.0-56-amd64";
    private readonly RegistryMode _mode;
    private RegistryProcess _registry = null!;
    private string _dir = null!;
    private string _authFile = null!;
    private PushedImage _oci = null!;
    private PushedImage _docker = null!;
    private PushedImage _index = null!;
    private PushedImage _manifestList = null!;
    private byte[] _module = null!;

    public RegistryCommandTests(RegistryMode mode)
    {
        _mode = mode;
    }

    [OneTimeSetUp]
    public async Task PushImages()
    {
        _registry = await RegistryProcess.GetSharedAsync(_mode);
        _dir = Path.Combine(Path.GetTempPath(), $"kmm-runner-registry-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
        _authFile = Path.Combine(_dir, "auth.json");
        var auths = new Dictionary<string, object>();
        if (_registry.Username is not null)
        {
            auths[_registry.Host] = new Dictionary<string, string> { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_registry.Username}:{_registry.Password}")) };
        }

        await File.WriteAllTextAsync(_authFile, JsonSerializer.Serialize(new Dictionary<string, object> { ["auths"] = auths }));

        _module = RepositoryTestData.Module("veth.ko");
        var layer = Layer(new LayerBuilder()
            .AddDirectory($"opt/lib/modules/{Kernel}/extra")
            .AddFile($"opt/lib/modules/{Kernel}/extra/veth.ko", _module)
            .AddFile($"opt/lib/modules/{Kernel}/modules.dep", "extra/veth.ko:\n")
            .AddSymlink("opt/current", $"lib/modules/{Kernel}"));
        var top = Layer(new LayerBuilder().AddFile("etc/motd", "hello\n"));
        using var client = _registry.CreateClient();
        var labels = new Dictionary<string, string> { ["kmm.test/kernel"] = Kernel };
        _oci = await TestImagePusher.PushImageAsync(client, _registry.Reference("runner/veth:oci"), [layer, top], labels: labels);
        _docker = await TestImagePusher.PushImageAsync(client, _registry.Reference("runner/veth:docker"), [layer], dockerSchema2: true, labels: labels);
        _index = await TestImagePusher.PushIndexAsync(client, _registry.Reference("runner/multi:v1"),
        [
            (Platform.Parse("linux/amd64"), [Layer(new LayerBuilder().AddFile("arch", "amd64\n"))]),
            (Platform.Parse("linux/arm64"), [Layer(new LayerBuilder().AddFile("arch", "arm64\n"))]),
        ]);
        _manifestList = await TestImagePusher.PushIndexAsync(client, _registry.Reference("runner/multi:docker"),
        [
            (Platform.Parse("linux/amd64"), [Layer(new LayerBuilder().AddFile("arch", "amd64\n"))]),
            (Platform.Parse("linux/arm64/v8"), [Layer(new LayerBuilder().AddFile("arch", "arm64\n"))]),
        ], dockerManifestList: true);
    }

    [OneTimeTearDown]
    public void RemoveFiles() => Directory.Delete(_dir, recursive: true);

    private static TestLayer Layer(LayerBuilder builder) => new(builder.Build(LayerCompression.Gzip).Content!, MediaType.OciLayerGzip);

    /// <summary>The options that reach this registry, as a user would give them.</summary>
    private string[] Access(bool withAuth = true, bool withCa = true)
    {
        var options = new List<string>();
        if (_registry.IsPlainHttp)
        {
            options.AddRange(["--insecure-registry", _registry.Host]);
        }
        else if (withCa)
        {
            options.AddRange(["--ca-file", _registry.CaFile!]);
        }

        // Always an auth file, empty when withAuth is false, so the user's own docker config never leaks into the test.
        options.AddRange(["--auth-file", withAuth ? _authFile : EmptyAuthFile()]);
        return [.. options];
    }

    private string EmptyAuthFile()
    {
        var path = Path.Combine(_dir, "empty-auth.json");
        File.WriteAllText(path, "{\"auths\":{}}");
        return path;
    }

    private Task<CliRun> Run(params string[] args) => RunAsync([.. args, .. Access()]);

    [Test]
    public async Task Inspect_oci_manifest()
    {
        var run = await Run("inspect", _oci.Reference.ToString());

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        Assert.That(json.RootElement.GetProperty("digest").GetString(), Is.EqualTo(_oci.Digest.ToString()));
        Assert.That(json.RootElement.GetProperty("mediaType").GetString(), Is.EqualTo(MediaType.OciManifest.Value));
        Assert.That(json.RootElement.GetProperty("layers").GetArrayLength(), Is.EqualTo(2));
        Assert.That(json.RootElement.GetProperty("labels").GetProperty("kmm.test/kernel").GetString(), Is.EqualTo(Kernel));
        Assert.That(json.RootElement.TryGetProperty("indexDigest", out _), Is.False);
    }

    [Test]
    public async Task Inspect_docker_schema2_manifest()
    {
        var run = await Run("inspect", "docker://" + _docker.Reference);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        Assert.That(json.RootElement.GetProperty("digest").GetString(), Is.EqualTo(_docker.Digest.ToString()));
        Assert.That(json.RootElement.GetProperty("mediaType").GetString(), Is.EqualTo(MediaType.DockerManifest.Value));
        Assert.That(json.RootElement.GetProperty("layers")[0].GetProperty("mediaType").GetString(), Is.EqualTo(MediaType.DockerLayerGzip.Value));
    }

    [TestCase("linux/amd64", 0)]
    [TestCase("linux/arm64", 1)]
    public async Task Inspect_index_chooses_the_platform(string platform, int entry)
    {
        var run = await Run("inspect", _index.Reference.ToString(), "--platform", platform);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        Assert.That(json.RootElement.GetProperty("indexDigest").GetString(), Is.EqualTo(_index.Digest.ToString()));
        Assert.That(json.RootElement.GetProperty("digest").GetString(), Is.EqualTo(_index.Platforms[entry].Digest.ToString()));
        Assert.That(json.RootElement.GetProperty("platform").GetString(), Is.EqualTo(platform));
    }

    [Test]
    public async Task Inspect_docker_manifest_list_chooses_the_platform()
    {
        var run = await Run("inspect", _manifestList.Reference.ToString(), "--platform", "linux/arm64");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        Assert.That(json.RootElement.GetProperty("indexDigest").GetString(), Is.EqualTo(_manifestList.Digest.ToString()));
        Assert.That(json.RootElement.GetProperty("digest").GetString(), Is.EqualTo(_manifestList.Platforms[1].Digest.ToString()));
        Assert.That(json.RootElement.GetProperty("mediaType").GetString(), Is.EqualTo(MediaType.DockerManifest.Value));
        Assert.That(json.RootElement.GetProperty("platform").GetString(), Is.EqualTo("linux/arm64/v8"), "the variant the list declares");
        Assert.That(
            json.RootElement.GetProperty("manifests").EnumerateArray().Select(m => (m.GetProperty("digest").GetString(), m.GetProperty("platform").GetString())),
            Is.EqualTo(await SkopeoListedManifestsAsync(_manifestList.Reference.ToString())),
            "every entry of the list, as skopeo reads the raw list");

        var cat = await Run("cat", _manifestList.Reference.ToString(), "/arch", "--platform", "linux/arm64");
        Assert.That(Encoding.UTF8.GetString(cat.OutBytes), Is.EqualTo("arm64\n"), cat.ToString());
    }

    // (digest, os/architecture[/variant]) of each entry of a manifest list or index, from `skopeo inspect --raw`.
    private async Task<List<(string?, string?)>> SkopeoListedManifestsAsync(string reference)
    {
        using var document = JsonDocument.Parse(await Skopeo.InspectRawAsync(_registry, reference));
        return document.RootElement.GetProperty("manifests").EnumerateArray()
            .Select(m =>
            {
                var p = m.GetProperty("platform");
                var platform = p.GetProperty("os").GetString() + "/" + p.GetProperty("architecture").GetString()
                    + (p.TryGetProperty("variant", out var v) ? "/" + v.GetString() : string.Empty);
                return (m.GetProperty("digest").GetString(), (string?)platform);
            })
            .ToList();
    }

    [Test]
    public async Task Inspect_by_digest()
    {
        var run = await Run("inspect", $"{_oci.Reference.RepositoryName}@{_oci.Digest}");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Out, Does.Contain(_oci.Digest.ToString()));
    }

    [Test]
    public async Task Inspect_missing_platform_is_not_found()
        => AssertOneLineError(await Run("inspect", _index.Reference.ToString(), "--platform", "linux/ppc64le"), 1, "not found");

    [Test]
    public async Task Inspect_missing_platform_lists_the_available_ones_with_their_variants()
        => AssertOneLineError(await Run("inspect", _manifestList.Reference.ToString(), "--platform", "linux/ppc64le"), 1, "available: linux/amd64, linux/arm64/v8.");

    [Test]
    public async Task Inspect_missing_tag_is_not_found()
        => AssertOneLineError(await Run("inspect", _registry.Reference("runner/veth:absent").ToString()), 1, "not found");

    [Test]
    public async Task Inspect_missing_repository_is_not_found()
        => AssertOneLineError(await Run("inspect", _registry.Reference("runner/absent:v1").ToString()), 1);

    [Test]
    public async Task Ls_and_cat_read_layers_from_the_registry()
    {
        var ls = await Run("ls", "-r", _oci.Reference.ToString(), "/opt");
        Assert.That(ls.ExitCode, Is.Zero, ls.ToString());
        Assert.That(ls.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), Does.Contain($"/opt/lib/modules/{Kernel}/extra/veth.ko").And.Contain("/opt/current"));

        var cat = await Run("cat", _oci.Reference.ToString(), "/opt/current/extra/veth.ko");
        Assert.That(cat.ExitCode, Is.Zero, cat.ToString());
        Assert.That(cat.OutBytes, Is.EqualTo(_module));

        var motd = await Run("cat", _oci.Reference.ToString(), "/etc/motd");
        Assert.That(Encoding.UTF8.GetString(motd.OutBytes), Is.EqualTo("hello\n"));
    }
}
