namespace Kmm.Preflight.Oci.Writing;

/// <summary>Turns a caller's path (<c>/opt/x</c>, <c>./opt/x</c>, <c>opt//x</c>) into the tar name Docker writes (<c>opt/x</c>).</summary>
internal static class LayerEntryPath
{
    /// <summary>The normalised path, without leading or trailing slashes.</summary>
    /// <exception cref="ArgumentException">The path is empty, the root, contains <c>..</c> or a NUL.</exception>
    public static string Normalise(string path, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(path, parameterName);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"path '{path.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character.", parameterName);
        }

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Contains(".."))
        {
            // A layer entry that climbs out of the image root is what container runtimes refuse (or worse, follow).
            throw new ArgumentException($"path '{path}' contains '..'; layer paths are relative to the image root.", parameterName);
        }

        if (parts.Count == 0)
        {
            throw new ArgumentException($"path '{path}' names the image root, which is not an entry.", parameterName);
        }

        return string.Join('/', parts);
    }

    /// <summary>The parent directories of <paramref name="normalised"/>, outermost first (<c>a</c>, <c>a/b</c> for <c>a/b/c</c>).</summary>
    public static IEnumerable<string> Parents(string normalised)
    {
        for (var slash = normalised.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = normalised.IndexOf('/', slash + 1))
        {
            yield return normalised[..slash];
        }
    }
}
