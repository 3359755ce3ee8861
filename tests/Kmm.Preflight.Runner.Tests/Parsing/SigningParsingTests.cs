using System.CommandLine;
using Kmm.Preflight.Core.Signing;
using Kmm.Preflight.Runner.Commands;
using Kmm.Preflight.Runner.Commands.SignFile;
using Kmm.Preflight.Runner.Commands.VerifySignature;

namespace Kmm.Preflight.Runner.Tests.Parsing;

/// <summary>sign-file and verify-signature: options to requests, and parse errors as exit 2.</summary>
public class SigningParsingTests
{
    private string _dir = null!;
    private string _key = null!;
    private string _cert = null!;
    private string _module = null!;

    [SetUp]
    public void CreateInputs()
    {
        _dir = Directory.CreateTempSubdirectory("kmm-signing-parse-").FullName;
        _key = Touch("key.pem");
        _cert = Touch("cert.pem");
        _module = Touch("m.ko");
    }

    [TearDown]
    public void RemoveInputs() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Sign_file_maps_to_a_request_with_sha256_by_default()
    {
        var request = await ParseSignFile("--key", _key, "--cert", _cert, _module, _module);
        Assert.That(request.HashAlgorithm, Is.EqualTo(ModuleHashAlgorithm.Sha256));
        Assert.That(request.KeyPath, Is.EqualTo(_key));
        Assert.That(request.CertificatePath, Is.EqualTo(_cert));
        Assert.That(request.Modules, Is.EqualTo(new[] { _module, _module }));
    }

    [TestCase("sha384", ModuleHashAlgorithm.Sha384)]
    [TestCase("sha512", ModuleHashAlgorithm.Sha512)]
    public async Task Sign_file_hash_option_is_parsed(string name, ModuleHashAlgorithm expected) =>
        Assert.That((await ParseSignFile("--hash", name, "--key", _key, "--cert", _cert, _module)).HashAlgorithm, Is.EqualTo(expected));

    [Test]
    public async Task Verify_signature_maps_to_a_request()
    {
        VerifySignatureRequest? seen = null;
        var command = VerifySignatureCommand.Create(GlobalOptions.CreateVerbose(), Console(), (r, _, _) =>
        {
            seen = r;
            return Task.FromResult(0);
        });
        Assert.That(await command.Parse(["--cert", _cert, _module]).InvokeAsync(), Is.Zero);
        Assert.That(seen!.CertificatePath, Is.EqualTo(_cert));
        Assert.That(seen.Modules, Is.EqualTo(new[] { _module }));
    }

    [Test]
    public async Task An_unknown_hash_is_exit_2_naming_it()
    {
        var run = await CliRun.RunAsync("sign-file", "--hash", "md5", "--key", _key, "--cert", _cert, _module);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.Contain("md5"));
    }

    [TestCase("sign-file", "--key")]
    [TestCase("sign-file", "--cert")]
    [TestCase("verify-signature", "--cert")]
    public async Task A_missing_required_option_is_exit_2_naming_it(string command, string option)
    {
        string[] args = command == "sign-file"
            ? [command, .. option == "--key" ? new[] { "--cert", _cert } : ["--key", _key], _module]
            : [command, _module];
        var run = await CliRun.RunAsync(args);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.Contain(option));
    }

    [TestCase("sign-file")]
    [TestCase("verify-signature")]
    public async Task No_module_is_exit_2(string command)
    {
        string[] args = command == "sign-file" ? [command, "--key", _key, "--cert", _cert] : [command, "--cert", _cert];
        var run = await CliRun.RunAsync(args);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.Contain("MODULE"));
    }

    [Test]
    public async Task A_missing_module_file_is_exit_2_naming_it()
    {
        var run = await CliRun.RunAsync("verify-signature", "--cert", _cert, Path.Combine(_dir, "nope.ko"));
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.Contain("nope.ko"));
    }

    [TestCase("sign-file", "--hash", "--key", "--cert", "MODULE")]
    [TestCase("verify-signature", "--cert", "MODULE")]
    public async Task Help_lists_the_options(string command, params string[] options)
    {
        var run = await CliRun.RunAsync(command, "--help");
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        foreach (var option in options)
        {
            Assert.That(run.Out, Does.Contain(option));
        }
    }

    private async Task<SignFileRequest> ParseSignFile(params string[] args)
    {
        SignFileRequest? seen = null;
        var command = SignFileCommand.Create(GlobalOptions.CreateVerbose(), Console(), (r, _, _) =>
        {
            seen = r;
            return Task.FromResult(0);
        });
        var exitCode = await command.Parse(args).InvokeAsync();
        Assert.That(exitCode, Is.Zero);
        return seen!;
    }

    private static RunnerConsole Console() => new(TextWriter.Null, TextWriter.Null, Stream.Null, false, false);

    private string Touch(string name)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "x");
        return path;
    }
}
