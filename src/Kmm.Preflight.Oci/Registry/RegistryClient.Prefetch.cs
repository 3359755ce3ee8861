using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Oci.Registry;

/// <content>The memory bound of top-layer prefetches (see <see cref="RegistryClientOptions.TopLayerPrefetchBytes"/>).</content>
public sealed partial class RegistryClient
{
    /// <summary>How many <see cref="RegistryClientOptions.TopLayerPrefetchBytes"/> one client holds at most, over all images it resolved.</summary>
    internal const int MaxHeldPrefetches = 32;

    private PrefetchBudget? _prefetchBudget;

    /// <summary>The bound on prefetched bytes held by the images this client resolved.</summary>
    internal PrefetchBudget PrefetchBudget =>
        LazyInitializer.EnsureInitialized(ref _prefetchBudget, () => new PrefetchBudget(Options.TopLayerPrefetchBytes * MaxHeldPrefetches));
}
