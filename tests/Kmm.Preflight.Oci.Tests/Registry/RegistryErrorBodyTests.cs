using System.Net;
using System.Text;
using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

public sealed class RegistryErrorBodyTests
{
    private static readonly Uri Uri = new("https://registry.example:5000/v2/app/manifests/v1");

    [Test]
    public void Codes_and_messages_are_read_from_the_json_body()
    {
        var (codes, messages) = RegistryErrorBody.Parse(Encoding.UTF8.GetBytes("""{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v1"}},{"code":"NAME_UNKNOWN"}]}"""));

        Assert.That(codes, Is.EqualTo(new[] { "MANIFEST_UNKNOWN", "NAME_UNKNOWN" }));
        Assert.That(messages, Is.EqualTo(new[] { "manifest unknown", string.Empty }));
    }

    [TestCase("")]
    [TestCase("<html>502 Bad Gateway</html>")]
    [TestCase("[1,2]")]
    [TestCase("{\"errors\":\"nope\"}")]
    public void Non_registry_bodies_give_no_codes(string body) => Assert.That(RegistryErrorBody.Parse(Encoding.UTF8.GetBytes(body)).Codes, Is.Empty);

    [TestCase(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN", typeof(RegistryNotFoundException))]
    [TestCase(HttpStatusCode.NotFound, null, typeof(RegistryNotFoundException))]
    [TestCase(HttpStatusCode.Unauthorized, "UNAUTHORIZED", typeof(RegistryUnauthorizedException))]
    [TestCase(HttpStatusCode.Forbidden, "DENIED", typeof(RegistryUnauthorizedException))]
    [TestCase(HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS", typeof(RegistryException))]
    [TestCase(HttpStatusCode.BadRequest, "MANIFEST_INVALID", typeof(RegistryException))]
    public void Status_and_codes_choose_the_exception_type(HttpStatusCode status, string? code, Type expected)
    {
        var codes = code is null ? Array.Empty<string>() : [code];
        var error = RegistryErrorBody.Create(status, Uri, codes, codes.Select(_ => "msg").ToList(), "fetching manifest of registry.example:5000/app:v1");

        Assert.That(error, Is.TypeOf(expected));
        Assert.That(error.StatusCode, Is.EqualTo(status));
        Assert.That(error.ErrorCodes, Is.EqualTo(codes));
        Assert.That(error.Message, Does.StartWith("fetching manifest of registry.example:5000/app:v1: registry.example:5000 answered " + (int)status));
        if (code is not null)
        {
            Assert.That(error.Message, Does.Contain(code + ": msg"));
        }
    }

    [Test]
    public void Rate_limit_message_says_to_wait() =>
        Assert.That(RegistryErrorBody.Create(HttpStatusCode.TooManyRequests, Uri, [], [], "op").Message, Does.Contain("rate-limits"));
}
