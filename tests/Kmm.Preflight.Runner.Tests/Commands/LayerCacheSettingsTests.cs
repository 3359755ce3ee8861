using Kmm.Preflight.Runner.Commands;

namespace Kmm.Preflight.Runner.Tests.Commands;

public sealed class LayerCacheSettingsTests
{
    [Test]
    public void The_default_directory_is_XDG_CACHE_HOME_then_the_home_cache()
    {
        Assert.That(LayerCacheSettings.DefaultDirectory(n => n switch { "XDG_CACHE_HOME" => "/x/cache", "HOME" => "/home/u", _ => null }), Is.EqualTo("/x/cache/kmm-preflight"));
        Assert.That(LayerCacheSettings.DefaultDirectory(n => n == "HOME" ? "/home/u" : null), Is.EqualTo("/home/u/.cache/kmm-preflight"));
        Assert.That(LayerCacheSettings.DefaultDirectory(n => n switch { "XDG_CACHE_HOME" => "relative", "HOME" => "/home/u", _ => null }), Is.EqualTo("/home/u/.cache/kmm-preflight"), "the XDG spec ignores relative paths");
        Assert.That(LayerCacheSettings.DefaultDirectory(_ => null), Is.Null);
    }

    [TestCase("512M", 512L << 20)]
    [TestCase("2G", 2L << 30)]
    [TestCase("2GiB", 2L << 30)]
    [TestCase("1.5g", 3L << 29)]
    [TestCase("64k", 64L << 10)]
    [TestCase("1000", 1000L)]
    public void Sizes_parse(string text, long bytes) => Assert.That(ByteSize.TryParse(text), Is.EqualTo(bytes));

    [TestCase("")]
    [TestCase("0")]
    [TestCase("-1G")]
    [TestCase("12Q")]
    [TestCase("G")]
    [TestCase("99999999999T")]
    public void Bad_sizes_do_not_parse(string text) => Assert.That(ByteSize.TryParse(text), Is.Null);
}
