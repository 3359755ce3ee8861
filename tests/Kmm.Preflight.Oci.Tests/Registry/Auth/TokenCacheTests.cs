using Kmm.Preflight.Oci.Registry.Auth;

namespace Kmm.Preflight.Oci.Tests.Registry.Auth;

public sealed class TokenCacheTests
{
    [Test]
    public void Token_is_reused_until_shortly_before_expiry()
    {
        var clock = new ManualTimeProvider();
        var cache = new TokenCache(clock);
        cache.Set("r:5000", ["repository:a:pull"], "t1", TimeSpan.FromSeconds(300));

        clock.Advance(TimeSpan.FromSeconds(260));
        Assert.That(cache.Get("r:5000", ["repository:a:pull"]), Is.EqualTo("t1"));

        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.That(cache.Get("r:5000", ["repository:a:pull"]), Is.Null, "tokens are dropped 30 s before they expire");
    }

    [Test]
    public void Tokens_are_per_registry_and_scope_set()
    {
        var cache = new TokenCache(new ManualTimeProvider());
        cache.Set("r:5000", ["repository:a:pull", "repository:b:pull"], "ab", TimeSpan.FromMinutes(5));

        Assert.That(cache.Get("r:5000", ["repository:b:pull", "repository:a:pull"]), Is.EqualTo("ab"), "scope order does not matter");
        Assert.That(cache.Get("r:5000", ["repository:a:pull"]), Is.Null);
        Assert.That(cache.Get("other:5000", ["repository:a:pull", "repository:b:pull"]), Is.Null);
        cache.Remove("r:5000", ["repository:a:pull", "repository:b:pull"]);
        Assert.That(cache.Get("r:5000", ["repository:a:pull", "repository:b:pull"]), Is.Null);
    }

    [Test]
    public void Token_reply_reads_token_or_access_token_and_floors_expiry_at_60_s()
    {
        var reply = TokenReply.Parse("{\"access_token\":\"abc\",\"expires_in\":10}"u8.ToArray(), "realm");
        Assert.That(reply.Token, Is.EqualTo("abc"));
        Assert.That(reply.Lifetime, Is.EqualTo(TimeSpan.FromSeconds(60)));
        Assert.That(TokenReply.Parse("{\"token\":\"t\",\"expires_in\":3600}"u8.ToArray(), "realm").Lifetime, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.Throws<InvalidDataException>(() => TokenReply.Parse("{\"expires_in\":10}"u8.ToArray(), "realm"));
        Assert.Throws<InvalidDataException>(() => TokenReply.Parse("<html>"u8.ToArray(), "realm"));
    }
}
