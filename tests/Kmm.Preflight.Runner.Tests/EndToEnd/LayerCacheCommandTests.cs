using System.Diagnostics;
using System.Text.Json;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>
/// The persistent layer index cache through the real commands against a real docker-registry of the fixture's own,
/// whose log counts every blob GET: a validate of 60 Modules over 6 images sharing 2 base layers fetches each layer
/// once; a warm run fetches none; damaged files, concurrent processes, <c>--no-cache</c> and the default directory.
/// </summary>
[NonParallelizable]
public sealed class LayerCacheCommandTests : EndToEndTest
{
    private const string Kernel = "6.1.0-56-amd64";
    private const int Images = 6;
    private const string KernelVariable = "${KERNEL_FULL_VERSION}";
    private RegistryProcess _registry = null!;
    private string _dir = null!;
    private string _modules = null!;
    private string _authFile = null!;
    private TestLayer _kernelLayer = null!;
    private HashSet<Digest> _layers = null!;

    [OneTimeSetUp]
    public async Task PushImagesAndWriteModules()
    {
        _registry = await RegistryProcess.StartAsync(RegistryMode.PlainHttp);
        using var client = _registry.CreateClient();
        _kernelLayer = Layer(new LayerBuilder().WithParentDirectories()
            .AddFile($"opt/lib/modules/{Kernel}/extra/dummy.ko", RepositoryTestData.Module("dummy.ko"))
            .AddFile($"opt/lib/modules/{Kernel}/extra/veth.ko", RepositoryTestData.Module("veth.ko"))
            .AddFile($"opt/lib/modules/{Kernel}/modules.dep", "extra/dummy.ko:\nextra/veth.ko:\n"));
        var os = Layer(new LayerBuilder().AddFile("etc/os-release", "ID=kmm-test\n"));
        _layers = [_kernelLayer.Digest, os.Digest];
        for (var i = 0; i < Images; i++)
        {
            var top = Layer(new LayerBuilder().AddFile($"etc/image-{i}", $"{i}\n"));
            _layers.Add(top.Digest);
            await TestImagePusher.PushImageAsync(client, _registry.Reference($"cache/image{i}:{Kernel}"), [_kernelLayer, os, top]);
        }

        _dir = Directory.CreateTempSubdirectory("kmm-runner-cache-").FullName;
        _authFile = Path.Combine(_dir, "auth.json");
        await File.WriteAllTextAsync(_authFile, "{\"auths\":{}}");
        _modules = Path.Combine(_dir, "modules.yaml");
        await File.WriteAllTextAsync(_modules, string.Join("---\n", Enumerable.Range(0, 60).Select(Module)));
    }

    [OneTimeTearDown]
    public async Task StopRegistry()
    {
        await _registry.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static TestLayer Layer(LayerBuilder builder) => new(builder.Build(LayerCompression.Gzip).Content!, MediaType.OciLayerGzip);

    private string Module(int n) => $"""
        apiVersion: kmm.sigs.x-k8s.io/v1beta1
        kind: Module
        metadata:
          name: m{n}
          namespace: cache
        spec:
          moduleLoader:
            container:
              modprobe:
                moduleName: {(n % 2 == 0 ? "dummy" : "veth")}
              kernelMappings:
                - regexp: '^.+$'
                  containerImage: "{_registry.Host}/cache/image{n % Images}:{KernelVariable}"

        """;

    private string Image(int i) => $"{_registry.Host}/cache/image{i}:{Kernel}";

    private string[] Access() => ["--insecure-registry", _registry.Host, "--auth-file", _authFile];

    private string[] ValidateArgs(string cacheDirectory) => ["validate", "--modules", _modules, "--kernel", Kernel, "--output", "json", "--cache-dir", cacheDirectory, .. Access()];

    private string NewCacheDirectory() => Path.Combine(_dir, $"cache-{Guid.NewGuid():N}");

    /// <summary>Runs <paramref name="run"/> and returns its result with the blob GETs of image layers it caused, by digest.</summary>
    private async Task<(T Result, Dictionary<Digest, int> LayerGets)> CountingAsync<T>(Func<Task<T>> run)
    {
        // The registry logs a response once it has sent it, which can be after the client is done: a run just before
        // this one must not be counted in it.
        await _registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));
        var mark = _registry.LogMark;
        var result = await run();
        var gets = (await RegistryBlobReads.SinceAsync(_registry, mark)).Where(g => _layers.Contains(g.Key)).ToDictionary(g => g.Key, g => g.Value.Gets);
        return (result, gets);
    }

    private static string Describe(Dictionary<Digest, int> gets) => string.Join(", ", gets.Select(g => $"{g.Key.Hex[..12]}={g.Value}"));

    private static void AssertAllVerified(CliRun run)
    {
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var modules = json.RootElement.GetProperty("status").GetProperty("modules").EnumerateArray().ToList();
        Assert.That(modules, Has.Count.EqualTo(60));
        Assert.That(modules.Select(m => m.GetProperty("verificationStatus").GetString()), Is.All.EqualTo("True"), run.Out);
    }

    [Test]
    public async Task Validate_of_60_modules_fetches_each_distinct_layer_once_and_a_warm_run_fetches_none()
    {
        var cache = NewCacheDirectory();

        var (cold, coldGets) = await CountingAsync(() => RunAsync(ValidateArgs(cache)));

        AssertAllVerified(cold);
        Assert.That(coldGets.Keys, Is.EquivalentTo(_layers), Describe(coldGets));
        Assert.That(coldGets.Values, Is.All.EqualTo(1), "8 distinct layers, each fetched once for 60 modules: " + Describe(coldGets));

        var (warm, warmGets) = await CountingAsync(() => RunAsync(ValidateArgs(cache)));

        AssertAllVerified(warm);
        Assert.That(warmGets, Is.Empty, "presence, modules.dep and the module files come from the cache: " + Describe(warmGets));

        var (ls, lsGets) = await CountingAsync(() => RunAsync(["ls", Image(3), $"/opt/lib/modules/{Kernel}", "-r", "--cache-dir", cache, .. Access()]));
        Assert.That(ls.ExitCode, Is.Zero, ls.ToString());
        Assert.That(ls.Out, Does.Contain($"/opt/lib/modules/{Kernel}/extra/veth.ko").And.Contain($"/opt/lib/modules/{Kernel}/modules.dep"));
        var (dep, depGets) = await CountingAsync(() => RunAsync(["cat", Image(4), $"/opt/lib/modules/{Kernel}/modules.dep", "--cache-dir", cache, .. Access()]));
        Assert.That(dep.Out, Is.EqualTo("extra/dummy.ko:\nextra/veth.ko:\n"), dep.ToString());
        Assert.That(lsGets.Concat(depGets), Is.Empty, "ls and cat of modules.dep on a warm cache: " + Describe(lsGets) + Describe(depGets));
    }

    [TestCase("truncated in the middle")]
    [TestCase("one byte flipped")]
    public async Task A_torn_cache_file_is_ignored_the_result_correct_and_the_file_replaced(string damage)
    {
        var cache = NewCacheDirectory();
        string[] ls = ["ls", Image(1), $"/opt/lib/modules/{Kernel}", "-r", "-l", "--cache-dir", cache, .. Access()];
        var first = await RunAsync(ls);
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        var file = Path.Combine(cache, "layer-indexes", $"sha256-{_kernelLayer.Digest.Hex}.lidx");
        var original = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, damage == "one byte flipped"
            ? original.Select((b, i) => i == original.Length / 2 ? (byte)~b : b).ToArray()
            : original[..(original.Length / 2)]);

        var (again, gets) = await CountingAsync(() => RunAsync(ls));

        Assert.That((again.ExitCode, again.Out), Is.EqualTo((0, first.Out)), again.ToString());
        Assert.That(gets, Is.EqualTo(new Dictionary<Digest, int> { [_kernelLayer.Digest] = 1 }), "only the damaged layer is read again: " + Describe(gets));
        Assert.That(await File.ReadAllBytesAsync(file), Is.EqualTo(original), "replaced by a whole file");
    }

    [Test]
    public async Task Two_processes_filling_one_cache_directory_at_once_both_succeed_and_leave_it_valid()
    {
        var cache = NewCacheDirectory();
        using var first = StartChild(ValidateArgs(cache));
        using var second = StartChild(ValidateArgs(cache));
        var results = await Task.WhenAll(WaitAsync(first), WaitAsync(second));

        foreach (var run in results)
        {
            AssertAllVerified(run);
        }

        var files = Directory.GetFiles(Path.Combine(cache, "layer-indexes"));
        Assert.That(files.Where(f => !f.EndsWith(".lidx", StringComparison.Ordinal)), Is.Empty, "no temporary file left");
        Assert.That(files, Has.Length.EqualTo(_layers.Count));
        var (warm, warmGets) = await CountingAsync(() => RunAsync(ValidateArgs(cache)));
        AssertAllVerified(warm);
        Assert.That(warmGets, Is.Empty, "every file the two processes wrote is whole and valid: " + Describe(warmGets));
    }

    [Test]
    public async Task No_cache_writes_nothing_and_the_default_directory_is_under_XDG_CACHE_HOME()
    {
        var home = Path.Combine(_dir, $"xdg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        var previous = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", home);
        try
        {
            var off = await RunAsync(["ls", Image(2), "/etc", "--no-cache", .. Access()]);
            Assert.That(off.ExitCode, Is.Zero, off.ToString());
            Assert.That(Directory.GetFileSystemEntries(home), Is.Empty, "--no-cache writes nothing");

            var on = await RunAsync(["ls", Image(2), "/etc", .. Access()]);
            Assert.That(on.Out, Is.EqualTo(off.Out));
            Assert.That(Directory.GetFiles(Path.Combine(home, "kmm-preflight", "layer-indexes"), "*.lidx"), Has.Length.EqualTo(3));
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", previous);
        }
    }

    [Test]
    public async Task Contradicting_or_malformed_cache_options_are_usage_errors()
    {
        // Parse errors are the message and a pointer to --help.
        var both = await RunAsync(["ls", Image(0), "--no-cache", "--cache-dir", _dir, .. Access()]);
        Assert.That((both.ExitCode, both.Out), Is.EqualTo((2, string.Empty)), both.ToString());
        Assert.That(both.Error, Does.StartWith("kmm-preflight: --no-cache and --cache-dir contradict each other"));
        var size = await RunAsync(["ls", Image(0), "--cache-max-size", "12Q", .. Access()]);
        Assert.That((size.ExitCode, size.Out), Is.EqualTo((2, string.Empty)), size.ToString());
        Assert.That(size.Error, Does.StartWith("kmm-preflight: --cache-max-size '12Q': write a positive size such as 512M"));
    }

    private static Process StartChild(string[] args)
    {
        var start = new ProcessStartInfo(CliRun.Executable ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (CliRun.Executable is null)
        {
            start.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "kmm-preflight.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task<CliRun> WaitAsync(Process process)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        var text = await output;
        return new CliRun(process.ExitCode, text, await error, System.Text.Encoding.UTF8.GetBytes(text));
    }
}
