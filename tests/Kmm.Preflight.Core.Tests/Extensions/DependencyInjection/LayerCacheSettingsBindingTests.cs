using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Extensions.DependencyInjection;
using Kmm.Preflight.Oci.FileSystem;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kmm.Preflight.Core.Tests.Extensions.DependencyInjection;

/// <summary>The persistent layer index cache from configuration: directory and size bound.</summary>
public sealed class LayerCacheSettingsBindingTests
{
    private static PreflightValidatorOptions Options(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddKmmPreflight(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<PreflightValidatorOptions>>().Value;
    }

    [Test]
    public void Directory_and_bound_bind_into_the_cache_options()
    {
        var options = Options(new() { ["Registry:UseAuthFiles"] = "false", ["LayerCacheDirectory"] = "/var/cache/kmm", ["LayerCacheMaxSizeBytes"] = "1048576" });

        Assert.That(options.LayerCache?.Options.Directory, Is.EqualTo("/var/cache/kmm"));
        Assert.That(options.LayerCache?.Options.MaxSizeBytes, Is.EqualTo(1 << 20));
        Assert.That(options.LayerCache?.Options.Logger, Is.Null, "no logger factory in this container");
    }

    [Test]
    public void Without_a_directory_there_is_no_persistent_cache_and_the_bound_defaults_to_1_GiB()
    {
        Assert.That(Options(new() { ["Registry:UseAuthFiles"] = "false" }).LayerCache, Is.Null);
        Assert.That(new KmmPreflightSettings().LayerCacheMaxSizeBytes, Is.EqualTo(LayerIndexCacheOptions.DefaultMaxSizeBytes));
    }

    [Test]
    public void A_bound_that_is_not_positive_is_an_options_validation_error()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Options(new() { ["Registry:UseAuthFiles"] = "false", ["LayerCacheDirectory"] = "/tmp/x", ["LayerCacheMaxSizeBytes"] = "0" }));
        Assert.That(e!.Message, Does.Contain("MaxSizeBytes must be positive (got 0)"));
    }
}
