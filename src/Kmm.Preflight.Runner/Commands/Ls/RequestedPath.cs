using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Runner.Commands.Ls;

/// <summary>
/// Shows entries under the path the user typed, as <c>find</c> and <c>ls</c> do: <c>ls IMAGE /lib</c> on an image
/// where <c>/lib -&gt; usr/lib</c> lists <c>/lib/modules</c>, not <c>/usr/lib/modules</c>, although the view
/// resolves the symlink to find them.
/// </summary>
internal static class RequestedPath
{
    /// <summary>The typed path made absolute, with empty and <c>.</c> components dropped and <c>..</c> applied (never above <c>/</c>).</summary>
    public static string Normalise(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return "/" + string.Join('/', parts);
    }

    /// <summary>Re-roots <paramref name="entries"/> found under <paramref name="resolved"/> at <paramref name="requested"/>.</summary>
    public static IReadOnlyList<FileSystemEntry> Reroot(IReadOnlyList<FileSystemEntry> entries, string resolved, string requested)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (resolved == requested)
        {
            return entries;
        }

        var prefix = resolved == "/" ? "/" : resolved + "/";
        var requestedPrefix = requested == "/" ? "/" : requested + "/";
        return entries.Select(e => e.Path == resolved
                ? e with { Path = requested }
                : e.Path.StartsWith(prefix, StringComparison.Ordinal) ? e with { Path = requestedPrefix + e.Path[prefix.Length..] } : e)
            .ToList();
    }
}
