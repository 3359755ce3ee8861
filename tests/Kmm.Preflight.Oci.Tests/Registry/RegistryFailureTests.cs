using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Oci.Tests.Registry;

public class RegistryFailureTests
{
    [Test]
    public void Tls_cause_under_a_request_error_is_tls_and_names_the_cause()
    {
        var tls = new AuthenticationException("The remote certificate is invalid");

        var failure = RegistryFailure.Of(new HttpRequestException("The SSL connection could not be established", tls));

        Assert.That(failure.Kind, Is.EqualTo(RegistryFailureKind.Tls));
        Assert.That(failure.Cause, Is.SameAs(tls));
        Assert.That(failure.Hint, Is.Not.Null);
    }

    [Test]
    public void Refused_connection_is_unreachable()
        => Assert.That(RegistryFailure.Of(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))).Kind, Is.EqualTo(RegistryFailureKind.Unreachable));

    [TestCase(HttpStatusCode.Unauthorized, RegistryFailureKind.Unauthorized)]
    [TestCase(HttpStatusCode.Forbidden, RegistryFailureKind.Unauthorized)]
    [TestCase(HttpStatusCode.NotFound, RegistryFailureKind.NotFound)]
    [TestCase(HttpStatusCode.InternalServerError, RegistryFailureKind.Error)]
    public void Status_decides_the_kind(HttpStatusCode status, RegistryFailureKind kind)
    {
        Assert.That(RegistryFailure.Of(new HttpRequestException("x", null, status)).Kind, Is.EqualTo(kind));
        Assert.That(new RegistryException("x", status, []).Failure.Kind, Is.EqualTo(kind));
    }

    [Test]
    public void Typed_registry_errors_keep_their_kind()
    {
        Assert.That(new RegistryNotFoundException("x").Failure.Kind, Is.EqualTo(RegistryFailureKind.NotFound));
        Assert.That(new RegistryUnauthorizedException("x").Failure.Kind, Is.EqualTo(RegistryFailureKind.Unauthorized));
        Assert.That(RegistryFailure.Of(new ImageNotFoundException("x")).Kind, Is.EqualTo(RegistryFailureKind.NotFound));
        Assert.That(RegistryFailure.Of(new FormatException("x")).Kind, Is.EqualTo(RegistryFailureKind.Invalid));
    }

    [Test]
    public void What_the_thrower_knew_wins_and_the_host_is_kept()
    {
        var failure = new RegistryException("fetching: r:5000 did not answer", RegistryFailureKind.Timeout, "r:5000", new IOException("x")).Failure;

        Assert.That(failure, Is.EqualTo(new RegistryFailure(RegistryFailureKind.Timeout, "r:5000", failure.Hint, null)));
    }

    [Test]
    public void No_answer_and_no_cause_is_unreachable()
        => Assert.That(new RegistryException("x").Failure.Kind, Is.EqualTo(RegistryFailureKind.Unreachable));
}
