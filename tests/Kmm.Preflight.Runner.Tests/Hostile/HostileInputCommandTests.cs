using Kmm.Preflight.Runner.Commands;
using Kmm.Preflight.Runner.Tests.EndToEnd;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Signing;

namespace Kmm.Preflight.Runner.Tests.Hostile;

/// <summary>
/// Every case of the hostile corpus (tests/testdata/hostile, see its README) run through the real commands as a user
/// would: a clear one-line error or a False verdict, a sensible exit code, never a stack trace, never a crash or hang.
/// </summary>
public class HostileInputCommandTests : EndToEndTest
{
    private const string Kernel = "6.1.0-56-amd64";
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("kmm-hostile-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "manifests" })]
    public async Task Validate_rejects_a_malformed_manifest_naming_the_file(string file)
    {
        var run = await RunBoundedAsync("validate", "--kernel", Kernel, "--modules", file);

        AssertOneLineError(run, ExitCodes.UsageError, "invalid input: ", Path.GetFileName(file));
    }

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "references" })]
    public async Task Inspect_rejects_an_odd_image_reference_before_any_connection(string file)
    {
        var run = await RunBoundedAsync("inspect", File.ReadAllText(file));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UsageError), run.ToString());
        Assert.That(run.Error, Does.StartWith("kmm-preflight: ").And.Not.Contain("   at "), run.ToString());
        // A control character must not reach the terminal; a password before '@' is not echoed.
        Assert.That(run.Error.Replace("\n", string.Empty, StringComparison.Ordinal).Any(char.IsControl), Is.False, run.ToString());
        Assert.That(run.Error, Does.Not.Contain("password"));
    }

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "oci" })]
    public async Task Inspect_rejects_a_malformed_image_manifest(string file)
    {
        var image = RawOciLayout.WithManifest(Path.Combine(_dir, "layout"), File.ReadAllBytes(file));

        var run = await RunBoundedAsync("inspect", image);

        AssertOneLineError(run, ExitCodes.Failure);
        AssertNoStackTrace(run);
    }

    // What `ls -r IMAGE /` gives for each layer: an error naming the layer, or a listing inside the image (names
    // are cleaned into the image's root, as container runtimes do; links are listed, not followed).
    private static readonly Dictionary<string, (int ExitCode, string Fragment)> LayerOutcomes = new()
    {
        ["absolute-name.tar"] = (0, "/etc/passwd"),
        ["path-traversal-dotdot.tar"] = (0, "/etc/passwd"),
        ["bad-checksum.tar"] = (1, "checksum mismatch"),
        ["bad-octal-size.tar"] = (1, "invalid octal digit"),
        ["base256-huge-size.tar"] = (1, "size field overflows"),
        ["garbage.tar"] = (1, "not a tar header"),
        ["gnu-long-name-huge.tar"] = (1, "LayerLimits.MaxHeaderBytes"),
        ["hardlink-missing-target.tar"] = (0, "/a"),
        ["hardlink-self.tar"] = (0, "/a"),
        ["no-end-marker.tar"] = (0, "/a"),
        ["pax-bad-record-length.tar"] = (1, "malformed PAX"),
        ["pax-header-claims-huge-size.tar"] = (1, "LayerLimits.MaxHeaderBytes"),
        ["pax-header-truncated.tar"] = (1, "inside an extended header"),
        ["pax-negative-size.tar"] = (1, "malformed PAX"),
        ["pax-path-nul.tar"] = (1, "malformed PAX"),
        ["symlink-escape.tar"] = (0, "/lib"),
        ["symlink-loop.tar"] = (0, "/a"),
        ["symlink-self.tar"] = (0, "/a"),
        ["truncated-data.tar"] = (1, "missing"),
        ["truncated-header.tar"] = (1, "missing"),
        ["bad-crc.tar.gz"] = (1, "gzip data is corrupt"),
        ["bad-deflate.tar.gz"] = (1, "gzip data is corrupt"),
        ["bad-frame.tar.zst"] = (1, "zstd data is corrupt"),
        // The digest covers the trailing bytes, and the tar ended before them.
        ["garbage-after-gzip.tar.gz"] = (0, "/a"),
        ["gzip-bomb-1gib.tar.gz"] = (0, "/zeros"),
        ["truncated.tar.gz"] = (1, "truncated"),
        ["truncated.tar.zst"] = (1, "ends inside a compressed frame"),
        ["zstd-bomb-1gib.tar.zst"] = (0, "/zeros"),
    };

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "tar" })]
    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "compression" })]
    public async Task Ls_of_a_hostile_layer_is_an_error_naming_the_layer_or_a_listing_inside_the_image(string file)
    {
        Assert.That(LayerOutcomes, Does.ContainKey(Path.GetFileName(file)), "a corpus case without an expected outcome here");
        var (exitCode, fragment) = LayerOutcomes[Path.GetFileName(file)];
        var image = RawOciLayout.WithLayer(Path.Combine(_dir, "layout"), File.ReadAllBytes(file), RawOciLayout.LayerMediaType(file));

        var run = await RunBoundedAsync("ls", "-r", image, "/");

        AssertNoStackTrace(run);
        if (exitCode == 0)
        {
            Assert.That(run.ExitCode, Is.Zero, run.ToString());
            Assert.That(run.Out.Split('\n'), Does.Contain(fragment), run.ToString());
            Assert.That(run.Out.Split('\n').Where(l => l.Length > 0), Has.All.StartWith("/").And.All.Not.Contain(".."), run.ToString());
        }
        else
        {
            AssertOneLineError(run, exitCode, "Layer sha256:", fragment);
        }
    }

    [TestCase("symlink-loop.tar")]
    [TestCase("symlink-self.tar")]
    public async Task Cat_through_a_symlink_loop_is_an_error_not_a_hang(string name)
    {
        var file = Path.Combine(HostileCorpus.Root, "tar", name);
        var image = RawOciLayout.WithLayer(Path.Combine(_dir, "layout"), File.ReadAllBytes(file), RawOciLayout.LayerMediaType(file));

        var run = await RunBoundedAsync("cat", image, "/a");

        AssertOneLineError(run, ExitCodes.Failure, "/a");
        AssertNoStackTrace(run);
    }

    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "elf" })]
    [TestCaseSource(typeof(HostileCorpus), nameof(HostileCorpus.Cases), new object[] { "signatures" })]
    public async Task Verify_signature_of_a_broken_module_fails_with_a_reason(string file)
    {
        var run = await RunBoundedAsync("verify-signature", "--cert", TestSigningKeys.Rsa2048.CertificatePath, file);

        AssertNoStackTrace(run);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failure), run.ToString());
        Assert.That(run.Out.TrimEnd().Split('\n'), Has.Length.EqualTo(1).And.All.StartWith($"{file}: FAILED ("), run.ToString());
    }

    private static void AssertNoStackTrace(CliRun run)
    {
        Assert.That(run.Error + run.Out, Does.Not.Contain("   at "), run.ToString());
        Assert.That(run.Error, Does.Not.Contain("Exception"), run.ToString());
    }

    // A hang is a defect too: each run gets two minutes (a 1 GiB bomb inflates in seconds).
    private static async Task<CliRun> RunBoundedAsync(params string[] args)
        => await CliRun.RunAsync(args).WaitAsync(TimeSpan.FromMinutes(2));
}
