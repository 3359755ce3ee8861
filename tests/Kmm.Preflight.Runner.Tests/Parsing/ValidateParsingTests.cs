using Kmm.Preflight.Runner.Commands.Validate;

namespace Kmm.Preflight.Runner.Tests.Parsing;

public class ValidateParsingTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateInputs()
    {
        _dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"validate-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "module.yaml"), "kind: Module\n");
    }

    [TearDown]
    public void RemoveInputs() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Missing_modules_is_exit_2_naming_the_option()
    {
        var run = await CliRun.RunAsync("validate", "--kernel", "6.1.0-56-amd64");

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("--modules"));
    }

    [Test]
    public async Task Neither_kernel_nor_preflight_is_exit_2()
    {
        var run = await CliRun.RunAsync("validate", "--modules", _dir);

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("exactly one of --kernel VERSION, --preflight FILE or --release-image REF"));
    }

    [Test]
    public async Task Both_kernel_and_preflight_is_exit_2()
    {
        var run = await CliRun.RunAsync("validate", "--modules", _dir, "--kernel", "6.1.0-56-amd64", "--preflight", Path.Combine(_dir, "module.yaml"));

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("exactly one"));
    }

    [Test]
    public async Task Nonexistent_modules_path_is_exit_2_naming_it()
    {
        var missing = Path.Combine(_dir, "missing.yaml");
        var run = await CliRun.RunAsync("validate", "--modules", missing, "--kernel", "6.1.0-56-amd64");

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain(missing));
    }

    [TestCase("0")]
    [TestCase("-3")]
    public async Task Parallel_below_one_is_exit_2(string parallel)
    {
        var run = await CliRun.RunAsync("validate", "--modules", _dir, "--kernel", "6.1.0-56-amd64", "--parallel", parallel);

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("--parallel"));
    }

    [Test]
    public async Task Unknown_output_format_is_exit_2_listing_the_formats()
    {
        var run = await CliRun.RunAsync("validate", "--modules", _dir, "--kernel", "6.1.0-56-amd64", "--output", "xml");

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("xml").And.Contain("table").And.Contain("yaml"));
        Assert.That(run.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(2), "one line for the error, one for the usage hint");
    }

    [Test]
    public async Task A_docker_host_that_is_not_a_URI_is_exit_2_naming_it()
    {
        var run = await CliRun.RunAsync("validate", "--modules", _dir, "--kernel", "6.1.0-56-amd64", "--docker-host", "not a uri");

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("--docker-host not a uri is not a URI"));
    }

    [Test]
    public async Task A_docker_host_of_an_unsupported_scheme_is_exit_2_listing_the_supported_ones()
    {
        var modules = Path.Combine(_dir, "valid.yaml");
        File.WriteAllText(modules, """
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata: {name: m}
            spec:
              moduleLoader:
                container:
                  modprobe: {moduleName: m}
                  kernelMappings: [{literal: 6.1.0-56-amd64, containerImage: x}]
            """);
        var run = await CliRun.RunAsync("validate", "--modules", modules, "--kernel", "6.1.0-56-amd64", "--docker-host", "ssh://builder");

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.Contain("container engine host 'ssh://builder' is not supported: use unix:///path/to/docker.sock, tcp://HOST:PORT or http(s)://HOST:PORT"));
    }

    [TestCase("table", false, "Table")]
    [TestCase("JSON", true, "Json")]
    [TestCase("yaml", true, "Yaml")]
    [TestCase(null, true, "Table")]
    [TestCase(null, false, "Json")]
    public void Output_format_defaults_to_table_on_a_terminal_and_json_otherwise(string? text, bool terminal, string expected)
        => Assert.That(ValidateCommand.ParseFormat(text, terminal), Is.EqualTo(Enum.Parse<OutputFormat>(expected)));
}
