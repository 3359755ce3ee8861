using Kmm.Preflight.Oci.FileSystem;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>Where the persistent layer index cache lives (<c>--cache-dir</c>, <c>--no-cache</c>, <c>--cache-max-size</c>).</summary>
/// <param name="Directory">The cache directory; null with <c>--no-cache</c> (indexes kept in memory for the run only).</param>
/// <param name="MaxSizeBytes">The bound of the layer index files.</param>
internal sealed record LayerCacheSettings(string? Directory, long MaxSizeBytes)
{
    /// <summary>The folder of <see cref="Directory"/> holding layer indexes (one <c>.lidx</c> file a layer digest).</summary>
    public const string LayerIndexFolder = "layer-indexes";

    /// <summary>No persistence.</summary>
    public static LayerCacheSettings Disabled { get; } = new(null, LayerIndexCacheOptions.DefaultMaxSizeBytes);

    /// <summary>
    /// The user's cache directory for the tool: <c>$XDG_CACHE_HOME/kmm-preflight</c>, else <c>~/.cache/kmm-preflight</c>
    /// (on Windows the local application data folder); null when neither can be found (no home directory).
    /// </summary>
    public static string? DefaultDirectory(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathFullyQualified(xdg))
        {
            return Path.Combine(xdg, "kmm-preflight");
        }

        var root = OperatingSystem.IsWindows()
            ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : environment("HOME") is { Length: > 0 } home ? Path.Combine(home, ".cache") : null;
        return string.IsNullOrEmpty(root) ? null : Path.Combine(root, "kmm-preflight");
    }

    /// <summary>The run's cache: persisted under <see cref="Directory"/>/<see cref="LayerIndexFolder"/>, or in memory only.</summary>
    public LayerIndexCache CreateCache(ILoggerFactory loggerFactory) => new(new LayerIndexCacheOptions
    {
        Directory = Directory is null ? null : Path.Combine(Directory, LayerIndexFolder),
        MaxSizeBytes = MaxSizeBytes,
        Logger = loggerFactory.CreateLogger<LayerIndexCache>(),
    });
}
