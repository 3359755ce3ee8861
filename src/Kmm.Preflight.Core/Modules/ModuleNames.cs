namespace Kmm.Preflight.Core.Modules;

/// <summary>Module name rules as modprobe applies them.</summary>
internal static class ModuleNames
{
    /// <summary>The file suffixes a module may have, longest first.</summary>
    public static IReadOnlyList<string> Suffixes { get; } = [".ko.xz", ".ko.zst", ".ko.gz", ".ko"];

    /// <summary>The name with <c>-</c> replaced by <c>_</c> (modprobe treats them as equal).</summary>
    public static string Normalise(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Replace('-', '_');
    }

    /// <summary>The module name of a file name (<c>foo-bar.ko.xz</c> gives <c>foo_bar</c>), or null if it is not a module file.</summary>
    public static string? FromFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var slash = fileName.LastIndexOf('/');
        var name = slash < 0 ? fileName : fileName[(slash + 1)..];
        foreach (var suffix in Suffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length)
            {
                return Normalise(name[..^suffix.Length]);
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="fileName"/> is a module file for <paramref name="moduleName"/>.</summary>
    public static bool IsFileFor(string fileName, string moduleName)
        => FromFileName(fileName) is { } name && name == Normalise(moduleName);
}
