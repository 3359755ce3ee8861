using System.Net;
using System.Net.Sockets;
using Kmm.Preflight.Oci.Registry.Transport;
using Polly.Timeout;

namespace Kmm.Preflight.Oci.Tests.Registry.Transport;

public sealed class TransientFailureTests
{
    [TestCase(HttpStatusCode.RequestTimeout, true)]
    [TestCase(HttpStatusCode.TooManyRequests, true)]
    [TestCase(HttpStatusCode.InternalServerError, true)]
    [TestCase(HttpStatusCode.BadGateway, true)]
    [TestCase(HttpStatusCode.ServiceUnavailable, true)]
    [TestCase(HttpStatusCode.GatewayTimeout, true)]
    [TestCase(HttpStatusCode.NotImplemented, false)]
    [TestCase(HttpStatusCode.HttpVersionNotSupported, false)]
    [TestCase(HttpStatusCode.NotFound, false)]
    [TestCase(HttpStatusCode.Unauthorized, false)]
    [TestCase(HttpStatusCode.OK, false)]
    public void Statuses(HttpStatusCode status, bool transient) => Assert.That(TransientFailure.IsTransient(status), Is.EqualTo(transient));

    [Test]
    public void Exceptions()
    {
        Assert.That(TransientFailure.IsTransient(new TimeoutRejectedException()), Is.True);
        Assert.That(TransientFailure.IsTransient(new IOException("reset")), Is.True);
        Assert.That(TransientFailure.IsTransient(new HttpRequestException(HttpRequestError.ResponseEnded, "ended")), Is.True);
        Assert.That(TransientFailure.IsTransient(new HttpRequestException("x", new SocketException((int)SocketError.ConnectionReset))), Is.True);
        Assert.That(TransientFailure.IsTransient(new HttpRequestException("x", new SocketException((int)SocketError.ConnectionRefused))), Is.False);
        Assert.That(TransientFailure.IsTransient(new HttpRequestException(HttpRequestError.SecureConnectionError, "tls")), Is.False);
        Assert.That(TransientFailure.IsTransient(new HttpRequestException(HttpRequestError.NameResolutionError, "dns")), Is.False);
        Assert.That(TransientFailure.IsTransient(new InvalidDataException()), Is.False);
        Assert.That(TransientFailure.IsTransient(new OperationCanceledException()), Is.False);
    }

    [Test]
    public void Retry_after_seconds_date_and_cap()
    {
        var clock = new Auth.ManualTimeProvider();
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        using var date = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        date.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(clock.GetUtcNow().AddSeconds(20));
        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        Assert.That(RetryAfter.From(seconds, clock, TimeSpan.FromMinutes(1)), Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(RetryAfter.From(date, clock, TimeSpan.FromMinutes(1)), Is.EqualTo(TimeSpan.FromSeconds(20)));
        Assert.That(RetryAfter.From(date, clock, TimeSpan.FromSeconds(5)), Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(RetryAfter.From(none, clock, TimeSpan.FromMinutes(1)), Is.Null);
        Assert.That(RetryAfter.From(null, clock, TimeSpan.FromMinutes(1)), Is.Null);
    }

    [Test]
    public void Same_origin_means_scheme_host_and_port()
    {
        var endpoint = new RegistryEndpoint("r.example:5000", new Uri("https://r.example:5000"));

        Assert.That(endpoint.IsSameOrigin(new Uri("https://R.example:5000/v2/x")), Is.True);
        Assert.That(endpoint.IsSameOrigin(new Uri("https://r.example:5001/v2/x")), Is.False);
        Assert.That(endpoint.IsSameOrigin(new Uri("http://r.example:5000/v2/x")), Is.False);
        Assert.That(endpoint.IsSameOrigin(new Uri("https://s3.example/bucket")), Is.False);
    }
}
