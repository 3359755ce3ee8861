namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// Normalises tar entry names and query paths to one form: components joined by <c>/</c>, no leading <c>/</c> or
/// <c>./</c>, <c>.</c> dropped and <c>..</c> collapsed without ever leaving the root; the root itself is "".
/// </summary>
internal static class LayerPath
{
    /// <summary>The normalised form of <paramref name="path"/>.</summary>
    public static string Normalise(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (IsNormal(path))
        {
            return path;
        }

        // Directories' trailing slash (every directory of a Docker or containers/storage tar): one substring, not a split.
        var trimmed = path.AsSpan().TrimEnd('/').Length;
        if (trimmed > 0 && trimmed < path.Length && path[..trimmed] is var candidate && IsNormal(candidate))
        {
            return candidate;
        }

        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    /// <summary>The parent of a normalised path ("" for a top-level name and for the root).</summary>
    public static string Parent(string normalised)
    {
        var slash = normalised.LastIndexOf('/');
        return slash < 0 ? string.Empty : normalised[..slash];
    }

    /// <summary>The last component of a normalised path.</summary>
    public static string Name(string normalised)
    {
        var slash = normalised.LastIndexOf('/');
        return slash < 0 ? normalised : normalised[(slash + 1)..];
    }

    /// <summary>Joins a normalised parent and a name.</summary>
    public static string Combine(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    /// <summary>The absolute form shown to callers (<c>/usr/lib</c>, <c>/</c> for the root).</summary>
    public static string ToAbsolute(string normalised) => "/" + normalised;

    // Fast path: most tar names (Docker, umoci) are already normal apart from a trailing slash on directories.
    private static bool IsNormal(string path)
    {
        if (path.Length == 0)
        {
            return true;
        }

        if (path[0] == '/' || path[^1] == '/')
        {
            return false;
        }

        var start = 0;
        while (start <= path.Length)
        {
            var end = path.IndexOf('/', start);
            if (end < 0)
            {
                end = path.Length;
            }

            var length = end - start;
            if (length == 0 || (length == 1 && path[start] == '.') || (length == 2 && path[start] == '.' && path[start + 1] == '.'))
            {
                return false;
            }

            start = end + 1;
        }

        return true;
    }
}
