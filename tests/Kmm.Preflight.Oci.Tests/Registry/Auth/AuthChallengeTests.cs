using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Oci.Tests.Registry.Auth;

public sealed class AuthChallengeTests
{
    [Test]
    public void Bearer_challenge_with_realm_service_and_scope()
    {
        var challenge = AuthChallenge.Parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:samalba/my-app:pull,push\"");

        Assert.That(challenge!.IsBearer, Is.True);
        Assert.That(challenge.Realm, Is.EqualTo("https://auth.docker.io/token"));
        Assert.That(challenge.Service, Is.EqualTo("registry.docker.io"));
        Assert.That(challenge.Scopes, Is.EqualTo(new[] { "repository:samalba/my-app:pull,push" }));
    }

    [Test]
    public void Basic_challenge_and_case_insensitive_scheme()
    {
        var challenge = AuthChallenge.Parse("BASIC realm=\"Registry Realm\"");

        Assert.That(challenge!.IsBasic, Is.True);
        Assert.That(challenge.Realm, Is.EqualTo("Registry Realm"));
        Assert.That(challenge.Scopes, Is.Empty);
    }

    [Test]
    public void Unquoted_values_spaces_and_escapes()
    {
        var challenge = AuthChallenge.Parse("Bearer realm=https://r.example/token , service=svc, scope=\"a:b:pull b:c:push\", error=\"say \\\"hi\\\"\"");

        Assert.That(challenge!.Realm, Is.EqualTo("https://r.example/token"));
        Assert.That(challenge.Service, Is.EqualTo("svc"));
        Assert.That(challenge.Scopes, Is.EqualTo(new[] { "a:b:pull", "b:c:push" }));
        Assert.That(challenge.Parameters["error"], Is.EqualTo("say \"hi\""));
    }

    [Test]
    public void First_known_scheme_among_several_headers()
    {
        var challenge = AuthChallenge.Parse(["Negotiate", "Bearer realm=\"https://r/t\""]);
        Assert.That(challenge!.IsBearer, Is.True);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void Empty_header_gives_no_challenge(string? header) => Assert.That(AuthChallenge.Parse(header), Is.Null);

    [Test]
    public void Scope_merge_puts_the_challenged_scope_first_without_duplicates()
    {
        var merged = TokenScope.Merge(["repository:a:pull,push"], ["repository:b:pull", "repository:a:pull,push"]);
        Assert.That(merged, Is.EqualTo(new[] { "repository:a:pull,push", "repository:b:pull" }));
    }
}
