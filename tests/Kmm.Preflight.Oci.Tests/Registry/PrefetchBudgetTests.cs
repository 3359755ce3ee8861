using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Oci.Tests.Registry;

/// <summary>
/// Resolved images are kept for a whole run, so their prefetched top layers must not add up without bound: one
/// client holds at most 32 prefetches' worth, drops the oldest, and a dropped layer is fetched (and verified) again.
/// </summary>
[Category("Integration")]
public sealed class PrefetchBudgetTests
{
    private const int Images = 40;
    private const int LayerBytes = 20_000;
    private RegistryProcess _registry = null!;
    private List<TestLayer> _layers = null!;
    private string _repository = null!;

    [OneTimeSetUp]
    public async Task PushImages()
    {
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        _repository = "budget-" + Guid.NewGuid().ToString("N")[..8];
        _layers = [.. Enumerable.Range(0, Images).Select(i => TestLayers.Random(LayerBytes, seed: 1000 + i))];
        using var client = _registry.CreateClient();
        for (var i = 0; i < Images; i++)
        {
            await TestImagePusher.PushImageAsync(client, _registry.Reference($"{_repository}/app:{i}"), [_layers[i]]);
        }
    }

    [Test]
    public async Task Prefetches_held_by_one_client_stay_within_the_budget_and_dropped_ones_are_fetched_again()
    {
        // 40 images of 20 kB each against a budget of 32 × 20 kB.
        using var client = new RegistryClient(_registry.CreateClientOptions() with { TopLayerPrefetchBytes = LayerBytes });
        var images = new List<ResolvedImage>();
        for (var i = 0; i < Images; i++)
        {
            var image = await new RegistryImageSource(client, _registry.Reference($"{_repository}/app:{i}")).ResolveAsync(Platform.Default);
            images.Add(image);
            await WaitForPrefetchAsync(client, Math.Min(i + 1, RegistryClient.MaxHeldPrefetches) * (long)LayerBytes);
        }

        Assert.That(client.PrefetchBudget.Total, Is.EqualTo(RegistryClient.MaxHeldPrefetches * (long)LayerBytes));
        await using var oldest = await images[0].Layers[0].OpenAsync();
        using var copy = new MemoryStream();
        await oldest.CopyToAsync(copy);
        Assert.That(copy.ToArray(), Is.EqualTo(_layers[0].Content), "a dropped prefetch is read from the registry again");
        Assert.That(oldest, Is.Not.InstanceOf<MemoryStream>());
        await using var newest = await images[^1].Layers[0].OpenAsync();
        Assert.That(newest, Is.InstanceOf<MemoryStream>(), "the newest prefetch is still held");
    }

    private static async Task WaitForPrefetchAsync(RegistryClient client, long expected)
    {
        for (var i = 0; i < 500 && client.PrefetchBudget.Total < expected; i++)
        {
            await Task.Delay(10);
        }
    }
}
