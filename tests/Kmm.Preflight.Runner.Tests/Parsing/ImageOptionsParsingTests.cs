using System.CommandLine;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Runner.Commands;

namespace Kmm.Preflight.Runner.Tests.Parsing;

public class ImageOptionsParsingTests
{
    private static (ImageAccessOptions? Options, ParseResult Result) Parse(params string[] args)
    {
        var verbose = GlobalOptions.CreateVerbose();
        var set = new ImageAccessOptionSet(verbose);
        var command = new RootCommand { verbose };
        set.AddTo(command);
        var result = command.Parse(args);
        return (result.Errors.Count == 0 ? set.Bind(result) : null, result);
    }

    [Test]
    public void Defaults_are_linux_amd64_no_auth_file_no_insecure_registries()
    {
        var (options, result) = Parse();

        Assert.That(result.Errors, Is.Empty);
        Assert.That(options!.Platform, Is.EqualTo(Platform.Default));
        Assert.That(options!.AuthFile, Is.Null);
        Assert.That(options!.InsecureRegistries, Is.Empty);
        Assert.That(options!.CaFiles, Is.Empty);
        Assert.That(options!.Verbose, Is.False);
    }

    [Test]
    public void Platform_is_parsed_and_normalised()
    {
        var (options, result) = Parse("--platform", "linux/aarch64");

        Assert.That(result.Errors, Is.Empty);
        Assert.That(options!.Platform, Is.EqualTo(new Platform("linux", "arm64")));
    }

    [Test]
    public void Bad_platform_is_a_parse_error_naming_the_option()
    {
        var (_, result) = Parse("--platform", "amd64");

        Assert.That(result.Errors.Select(e => e.Message), Has.Some.Contains("--platform").And.Some.Contains("amd64"));
    }

    [Test]
    public void Insecure_registry_repeats()
    {
        var (options, result) = Parse("--insecure-registry", "127.0.0.1:5000", "--insecure-registry", "registry.local");

        Assert.That(result.Errors, Is.Empty);
        Assert.That(options!.InsecureRegistries, Is.EqualTo(new[] { "127.0.0.1:5000", "registry.local" }));
    }

    [TestCase("http://127.0.0.1:5000")]
    [TestCase("127.0.0.1:5000/repo")]
    public void Insecure_registry_with_scheme_or_path_is_rejected(string value)
    {
        var (_, result) = Parse("--insecure-registry", value);

        Assert.That(result.Errors.Select(e => e.Message), Has.Some.Contains("HOST:PORT"));
    }

    [Test]
    public void Missing_auth_and_ca_files_are_rejected()
    {
        var (_, result) = Parse("--auth-file", "/nonexistent/auth.json", "--ca-file", "/nonexistent/ca.pem");

        Assert.That(result.Errors, Has.Count.EqualTo(2));
    }

    [Test]
    public void Existing_files_bind_to_full_paths()
    {
        var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"auth-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, "{}");
        try
        {
            var (options, result) = Parse("--auth-file", file, "--ca-file", file, "--ca-file", file, "--verbose");

            Assert.That(result.Errors, Is.Empty);
            Assert.That(options!.AuthFile, Is.EqualTo(Path.GetFullPath(file)));
            Assert.That(options!.CaFiles, Has.Count.EqualTo(2));
            Assert.That(options!.Verbose, Is.True);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Client_options_mark_insecure_registries_plain_http()
    {
        var (options, _) = Parse("--insecure-registry", "127.0.0.1:5000");

        var client = ImageSession.CreateClientOptions(options!);

        Assert.That(client.Hosts["127.0.0.1:5000"].Insecure, Is.True);
        Assert.That(client.Hosts.ContainsKey("127.0.0.1:5001"), Is.False);
    }

    [TestCase(true, 1 << 20)]
    [TestCase(false, 0)]
    public void Only_sessions_that_read_layers_prefetch_the_top_layer(bool readsLayers, long expected)
    {
        var (options, _) = Parse("--insecure-registry", "127.0.0.1:5000");
        var console = new RunnerConsole(TextWriter.Null, TextWriter.Null, Stream.Null, false, false);

        using var session = new ImageSession(options!, console, readsLayers);

        Assert.That(session.Client.Options.TopLayerPrefetchBytes, Is.EqualTo(expected));
        Assert.That(session.Client.Options.Hosts["127.0.0.1:5000"].Insecure, Is.True);
    }
}
