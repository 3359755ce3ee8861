using System.Text;
using System.Text.Json;
using Kmm.Preflight.Testing.Data;
using static Kmm.Preflight.Runner.Tests.EndToEnd.TestLayout;

namespace Kmm.Preflight.Runner.Tests.EndToEnd;

/// <summary>inspect, ls and cat on OCI layouts written here: merged layers, whiteouts, symlinks, indexes.</summary>
public class OciLayoutCommandTests : EndToEndTest
{
    private const string Kernel = "6.1.0-56-amd64";
    private string _dir = null!;
    private string _image = null!;
    private string _index = null!;
    private TestLayout.Descriptor _manifest = null!;
    private TestLayout.Descriptor _indexDescriptor = null!;
    private byte[] _dummy = null!;

    [OneTimeSetUp]
    public void WriteLayouts()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"kmm-runner-e2e-{Guid.NewGuid():N}");
        _dummy = RepositoryTestData.Module("dummy.ko");
        var layout = new TestLayout(Path.Combine(_dir, "layout"));
        _manifest = layout.AddImage(
            "demo",
            new Dictionary<string, string> { ["org.opencontainers.image.title"] = "demo", ["kernel"] = Kernel },
            [
                Entry.Dir("./"),
                Entry.Dir("./etc/"),
                Entry.File("./etc/os-release", "ID=debian\n"),
                Entry.Symlink("./etc/ping", "pong"),
                Entry.Symlink("./etc/pong", "/etc/ping"),
                Entry.Dir("./usr/"),
                Entry.Dir("./usr/lib/"),
                Entry.Dir("./usr/lib/firmware/"),
                Entry.File("./usr/lib/firmware/fw.bin", [0, 1, 2, 255, 0, 13, 10]),
                Entry.Symlink("./lib", "usr/lib"),
                Entry.Dir("./opt/"),
                Entry.File("./opt/old.txt", "deleted above\n"),
                Entry.Dir($"./opt/lib/modules/{Kernel}/extra/"),
                Entry.File($"./opt/lib/modules/{Kernel}/extra/dummy.ko", _dummy),
                Entry.File($"./opt/lib/modules/{Kernel}/modules.dep", "extra/dummy.ko:\n"),
                Entry.Symlink("./opt/link", "lib/modules"),
            ],
            [
                Entry.File("opt/.wh.old.txt", string.Empty),
                Entry.File("opt/new.txt", "new\n"),
                Entry.File("etc/os-release", "ID=debian\nVERSION_ID=12\n"),
            ]);
        _indexDescriptor = layout.AddIndex("multi", new Dictionary<string, Entry[]>
        {
            ["amd64"] = [Entry.File("arch", "amd64\n")],
            ["arm64"] = [Entry.File("arch", "arm64\n")],
        });
        _image = $"oci:{Path.Combine(_dir, "layout")}:demo";
        _index = $"oci:{Path.Combine(_dir, "layout")}:multi";
    }

    [OneTimeTearDown]
    public void RemoveLayouts() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Inspect_prints_digest_media_type_platform_layers_and_labels()
    {
        var run = await RunAsync("inspect", _image);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.That(root.GetProperty("reference").GetString(), Does.EndWith(":demo"));
        Assert.That(root.GetProperty("digest").GetString(), Is.EqualTo(_manifest.Digest));
        Assert.That(root.TryGetProperty("indexDigest", out _), Is.False);
        Assert.That(root.GetProperty("mediaType").GetString(), Is.EqualTo("application/vnd.oci.image.manifest.v1+json"));
        Assert.That(root.GetProperty("platform").GetString(), Is.EqualTo("linux/amd64"));
        var layers = root.GetProperty("layers");
        Assert.That(layers.GetArrayLength(), Is.EqualTo(2));
        Assert.That(layers[0].GetProperty("digest").GetString(), Does.StartWith("sha256:"));
        Assert.That(layers[0].GetProperty("size").GetInt64(), Is.GreaterThan(0));
        Assert.That(layers[0].GetProperty("mediaType").GetString(), Is.EqualTo("application/vnd.oci.image.layer.v1.tar+gzip"));
        Assert.That(layers[0].GetProperty("annotations").ValueKind, Is.EqualTo(JsonValueKind.Object));
        Assert.That(root.GetProperty("labels").GetProperty("kernel").GetString(), Is.EqualTo(Kernel));
    }

    [TestCase("linux/amd64", "amd64")]
    [TestCase("linux/arm64", "arm64")]
    public async Task Inspect_of_an_index_chooses_the_platform_and_reports_both_digests(string platform, string architecture)
    {
        var run = await RunAsync("inspect", _index, "--platform", platform);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.That(root.GetProperty("indexDigest").GetString(), Is.EqualTo(_indexDescriptor.Digest));
        Assert.That(root.GetProperty("digest").GetString(), Is.Not.EqualTo(_indexDescriptor.Digest));
        Assert.That(root.GetProperty("platform").GetString(), Is.EqualTo(platform));
        Assert.That(root.GetProperty("labels").GetProperty("arch").GetString(), Is.EqualTo(architecture));
    }

    [Test]
    public async Task Inspect_of_a_missing_platform_is_one_line_not_found()
        => AssertOneLineError(await RunAsync("inspect", _index, "--platform", "linux/s390x"), 1, "not found");

    [Test]
    public async Task Inspect_of_a_missing_tag_is_one_line_not_found()
        => AssertOneLineError(await RunAsync("inspect", $"oci:{Path.Combine(_dir, "layout")}:nope"), 1, "not found", "nope");

    [Test]
    public async Task Ls_root_lists_top_level_entries_sorted()
    {
        var run = await RunAsync("ls", _image);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(Lines(run), Is.EqualTo(new[] { "/etc", "/lib", "/opt", "/usr" }));
    }

    [Test]
    public async Task Ls_applies_whiteouts_of_upper_layers()
    {
        var run = await RunAsync("ls", _image, "/opt");

        Assert.That(Lines(run), Is.EqualTo(new[] { "/opt/lib", "/opt/link", "/opt/new.txt" }), run.ToString());
    }

    [Test]
    public async Task Ls_recursive_lists_a_symlink_without_descending_through_it()
    {
        var run = await RunAsync("ls", "-r", _image, "/opt");
        var lines = Lines(run);

        Assert.That(lines, Does.Contain($"/opt/lib/modules/{Kernel}/extra/dummy.ko"));
        Assert.That(lines, Does.Contain("/opt/link"));
        Assert.That(lines.Where(l => l.StartsWith("/opt/link/", StringComparison.Ordinal)), Is.Empty);
        Assert.That(lines, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public async Task Ls_follows_a_symlink_in_the_path()
    {
        var run = await RunAsync("ls", _image, "/lib/firmware");

        // As find and ls print it: under the path typed, though the entries live in /usr/lib.
        Assert.That(Lines(run), Is.EqualTo(new[] { "/lib/firmware/fw.bin" }), run.ToString());
    }

    [Test]
    public async Task Ls_recursive_through_a_symlinked_parent_keeps_the_typed_prefix()
    {
        var run = await RunAsync("ls", _image, "/lib/./firmware/", "-r", "-l");

        Assert.That(Lines(run), Has.Exactly(1).Matches<string>(l => l.EndsWith(" /lib/firmware/fw.bin", StringComparison.Ordinal) && l.StartsWith('-')), run.ToString());
    }

    [Test]
    public async Task Ls_of_a_file_through_a_symlinked_parent_lists_the_typed_path()
        => Assert.That(Lines(await RunAsync("ls", _image, "/lib/firmware/fw.bin")), Is.EqualTo(new[] { "/lib/firmware/fw.bin" }));

    [Test]
    public async Task Ls_of_a_file_lists_the_file()
        => Assert.That(Lines(await RunAsync("ls", _image, $"/opt/lib/modules/{Kernel}/extra/dummy.ko")), Is.EqualTo(new[] { $"/opt/lib/modules/{Kernel}/extra/dummy.ko" }));

    [Test]
    public async Task Ls_long_shows_type_size_and_link_target()
    {
        var lines = Lines(await RunAsync("ls", "-l", _image, "/opt"));

        Assert.That(lines, Has.Some.Match(@"^l\s+\d+ /opt/link -> lib/modules$"));
        Assert.That(lines, Has.Some.Match(@"^-\s+4 /opt/new\.txt$"));
        Assert.That(lines, Has.Some.Match(@"^d\s+\d+ /opt/lib$"));
    }

    [Test]
    public async Task Ls_of_a_missing_path_is_one_line_error()
        => AssertOneLineError(await RunAsync("ls", _image, "/opt/old.txt"), 1, "not found: /opt/old.txt: no such file or directory");

    [TestCase("/etc/ping")]
    [TestCase("/etc/pong/x")]
    public async Task Ls_of_a_symlink_loop_says_so_not_no_such_file(string path)
    {
        var run = await RunAsync("ls", _image, path);

        AssertOneLineError(run, 1, $"{path}: too many levels of symbolic links");
        Assert.That(run.Error, Does.Not.Contain("no such file"));
    }

    [Test]
    public async Task Ls_of_a_directory_holding_looping_symlinks_lists_them()
    {
        var run = await RunAsync("ls", "-l", _image, "/etc");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(Lines(run), Has.Some.Match(@"^l\s+\d+ /etc/ping -> pong$"));
    }

    [Test]
    public async Task Cat_writes_the_module_bytes_unchanged()
    {
        var run = await RunAsync("cat", _image, $"/opt/lib/modules/{Kernel}/extra/dummy.ko");

        Assert.That(run.ExitCode, Is.Zero, run.Error);
        Assert.That(run.OutBytes, Is.EqualTo(_dummy));
    }

    [Test]
    public async Task Cat_follows_symlinks_and_is_binary_safe()
    {
        var run = await RunAsync("cat", _image, "/lib/firmware/fw.bin");

        Assert.That(run.OutBytes, Is.EqualTo(new byte[] { 0, 1, 2, 255, 0, 13, 10 }), run.Error);
    }

    [Test]
    public async Task Cat_reads_the_upper_layer_version()
        => Assert.That(Encoding.UTF8.GetString((await RunAsync("cat", _image, "/etc/os-release")).OutBytes), Is.EqualTo("ID=debian\nVERSION_ID=12\n"));

    [Test]
    public async Task Cat_of_a_directory_is_an_error()
        => AssertOneLineError(await RunAsync("cat", _image, "/opt"), 1, "/opt", "directory");

    [TestCase("/opt/old.txt")]
    [TestCase("/nonexistent")]
    public async Task Cat_of_a_missing_or_deleted_file_is_an_error(string path)
        => AssertOneLineError(await RunAsync("cat", _image, path), 1, $"{path}: no such file or directory");

    [TestCase("/etc/pong")]
    [TestCase("/etc/ping/os-release")]
    public async Task Cat_of_a_symlink_loop_says_so_not_no_such_file(string path)
    {
        var run = await RunAsync("cat", _image, path);

        AssertOneLineError(run, 1, $"{path}: too many levels of symbolic links");
        Assert.That(run.Error, Does.Not.Contain("no such file"));
    }

    [Test]
    public async Task Cancellation_stops_the_command_with_exit_130()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var run = await CliRun.RunAsync(["ls", "-r", _image, "/"], outputIsTerminal: false, cancellation.Token);

        AssertOneLineError(run, 130, "cancelled");
    }

    private static string[] Lines(CliRun run) => run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
