namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// Caches each layer's file index by digest (layer contents never change for a digest), in memory and optionally
/// in a directory, so a layer shared by many images or modules is read once. Thread-safe.
/// </summary>
public sealed class LayerIndexCache
{
    /// <summary>Creates an in-memory cache, persisted under <paramref name="directory"/> when given.</summary>
    public LayerIndexCache(string? directory = null)
    {
        Directory = directory;
    }

    /// <summary>The persistence directory, or null.</summary>
    public string? Directory { get; }
}
