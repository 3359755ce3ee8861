using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Runner.Commands;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Runner.Tests.Commands;

public class FailureDescriptionTests
{
    [Test]
    public void Tls_failure_names_tls_and_the_way_out()
    {
        var e = new HttpRequestException("The SSL connection could not be established", new AuthenticationException("The remote certificate is invalid"));

        var failure = FailureDescription.Describe(e);

        Assert.That(failure.Message, Does.StartWith("TLS:").And.Contain("--ca-file").And.Contain("certificate is invalid"));
        Assert.That(failure.ExitCode, Is.EqualTo(ExitCodes.Failure));
    }

    [Test]
    public void Refused_connection_is_unreachable()
    {
        var e = new HttpRequestException("Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused));

        Assert.That(FailureDescription.Describe(e).Message, Does.StartWith("unreachable:").And.Contain("127.0.0.1:1"));
    }

    [TestCase(HttpStatusCode.Unauthorized)]
    [TestCase(HttpStatusCode.Forbidden)]
    public void Refused_credentials_are_unauthorized(HttpStatusCode status)
    {
        var e = new HttpRequestException("denied", null, status);

        Assert.That(FailureDescription.Describe(e).Message, Does.StartWith("unauthorized:").And.Contain("--auth-file"));
    }

    [Test]
    public void Malformed_reference_is_usage_error()
    {
        var failure = FailureDescription.Describe(new FormatException("invalid image reference 'A'"));

        Assert.That(failure.ExitCode, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(failure.Message, Does.Contain("invalid image reference 'A'"));
    }

    [Test]
    public void Missing_image_is_not_found()
        => Assert.That(FailureDescription.Describe(new ImageNotFoundException("r/x:1: manifest unknown")).Message, Is.EqualTo("not found: r/x:1: manifest unknown"));

    [Test]
    public void Cancellation_by_the_user_is_130()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.That(FailureDescription.Describe(new OperationCanceledException(cts.Token), cts.Token).ExitCode, Is.EqualTo(ExitCodes.Cancelled));
    }

    [Test]
    public void Cancellation_not_asked_for_is_a_timeout_failure()
        => Assert.That(FailureDescription.Describe(new TaskCanceledException("attempt timed out")).Message, Does.StartWith("timed out:"));

    [Test]
    public void Multi_line_messages_become_one_line()
        => Assert.That(FailureDescription.Describe(new InvalidDataException("bad\nmanifest\r\n at x")).Message, Is.EqualTo("invalid data: bad manifest at x"));

    [Test]
    public async Task Guard_prints_one_line_and_no_stack_trace_unless_verbose()
    {
        var error = new StringWriter();
        var console = new RunnerConsole(TextWriter.Null, error, Stream.Null, false, false);

        var code = await CommandGuard.RunAsync(console, verbose: false, _ => throw new ImageNotFoundException("x: manifest unknown"), CancellationToken.None);

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(error.ToString(), Is.EqualTo("kmm-preflight: not found: x: manifest unknown" + Environment.NewLine));

        var verboseError = new StringWriter();
        await CommandGuard.RunAsync(console with { Error = verboseError }, verbose: true, _ => throw new ImageNotFoundException("x"), CancellationToken.None);
        Assert.That(verboseError.ToString(), Does.Contain("ImageNotFoundException").And.Contain(" at "));
    }

    [Test]
    public async Task Registry_host_that_never_answers_is_one_timed_out_line_naming_the_host()
    {
        await using var server = new SilentServer();
        using var client = new RegistryClient(new RegistryClientOptions { ConnectTimeout = TimeSpan.FromSeconds(1) });
        var error = Assert.CatchAsync(() => client.GetManifestAsync(ImageReference.Parse($"{server.Host}/app:v1")));

        var failure = FailureDescription.Describe(error!);

        Assert.That(failure.Message, Is.EqualTo($"timed out: fetching manifest of {server.Host}/app:v1: could not connect to {server.Host} within 1 s (TCP connect and TLS handshake)."));
        Assert.That(failure.ExitCode, Is.EqualTo(ExitCodes.Failure));
    }
}
