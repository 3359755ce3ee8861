using Kmm.Preflight.Core.Modules;

namespace Kmm.Preflight.Core.Running;

/// <summary>
/// Decides which files a layer scan keeps in memory so the Image stage reads them without a second pass: module
/// files of the run's module names (any suffix, <c>-</c>/<c>_</c> equal) and <c>modules.dep</c>/<c>modules.dep.bin</c>,
/// all under a <c>lib/modules/</c> directory.
/// </summary>
internal static class ModuleContentFilter
{
    /// <summary>The largest file kept.</summary>
    public const long MaxRetainedBytes = 64L * 1024 * 1024;

    /// <summary>A predicate over (path in layer, size) for <c>ImageFileSystemOptions.RetainContent</c>.</summary>
    public static Func<string, long, bool> Create(IEnumerable<string> moduleNames)
    {
        ArgumentNullException.ThrowIfNull(moduleNames);
        var names = moduleNames.Select(ModuleNames.Normalise).ToHashSet(StringComparer.Ordinal);
        return (path, size) =>
        {
            if (size > MaxRetainedBytes || !path.Contains("/lib/modules/", StringComparison.Ordinal))
            {
                return false;
            }

            if (path.EndsWith("/modules.dep", StringComparison.Ordinal) || path.EndsWith("/modules.dep.bin", StringComparison.Ordinal))
            {
                return true;
            }

            return ModuleNames.FromFileName(path) is { } name && names.Contains(name);
        };
    }
}
