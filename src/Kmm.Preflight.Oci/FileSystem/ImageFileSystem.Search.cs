namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>Searches of a directory's subtree over entries made once per directory of a published tree.</summary>
public sealed partial class ImageFileSystem
{
    /// <summary>Every visible descendant of <paramref name="directory"/> as entries, sorted by path.</summary>
    /// <remarks>
    /// The validator searches an image's kernel directory once a module (200 modules over 20 images: ~2.5 ms a search
    /// to make 4,900 entries and sort them); published trees never change, so the sorted entries are kept on the node
    /// and each search only filters them. A node shared by images over the same base layers (<see cref="MergedTreeChains"/>)
    /// gives the same entries to each: its subtree holds only those shared layers, at the same positions.
    /// </remarks>
    private FileSystemEntry[] DescendantEntries(MergedNode directory)
    {
        if (Volatile.Read(ref directory.Descendants) is { } known)
        {
            return known;
        }

        var path = LayerPath.ToAbsolute(directory.RelativePath);
        var entries = directory.Original is { IsDirectory: true } original && ChangedChildren(directory, original) is { } changed
            ? Patched(directory, path, DescendantEntries(original), changed)
            : Fresh(directory, path);

        // Racing searches may each make the list; they are equal, and the first one stays.
        return Interlocked.CompareExchange(ref directory.Descendants, entries, null) ?? entries;
    }

    private FileSystemEntry[] Fresh(MergedNode directory, string path)
    {
        var entries = MergedTree.DescendantsWithPaths(directory, path).Select(n => ToEntry(n.Node, n.Path)).ToArray();
        Array.Sort(entries, ByPath);
        return entries;
    }

    // The names whose child differs from the original's (another object, added or removed); null when too many differ
    // for patching to pay (every image over shared base layers copies only the directories its own layers touch).
    private static HashSet<string>? ChangedChildren(MergedNode directory, MergedNode original)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        var mine = directory.Children ?? [];
        var theirs = original.Children ?? [];
        foreach (var (name, child) in mine)
        {
            if (!theirs.TryGetValue(name, out var old) || !ReferenceEquals(old, child))
            {
                changed.Add(name);
            }
        }

        foreach (var name in theirs.Keys)
        {
            if (!mine.ContainsKey(name))
            {
                changed.Add(name);
            }
        }

        return changed.Count * 4 <= Math.Max(4, mine.Count) ? changed : null;
    }

    /// <summary>
    /// The original's sorted entries without those of <paramref name="changed"/> children's subtrees, merged with the
    /// entries of the children this directory has under those names now: the same list as <see cref="Fresh"/>, in
    /// linear time instead of walking and sorting the whole subtree again (a 4,900-entry kernel directory per image).
    /// </summary>
    private FileSystemEntry[] Patched(MergedNode directory, string path, FileSystemEntry[] original, HashSet<string> changed)
    {
        if (changed.Count == 0)
        {
            return original;
        }

        var added = new List<FileSystemEntry>();
        foreach (var name in changed)
        {
            if (directory.Children?.GetValueOrDefault(name) is { IsTombstone: false } child)
            {
                added.Add(ToEntry(child, MergedTree.Join(path, name)));
                if (child.IsDirectory)
                {
                    added.AddRange(DescendantEntries(child));
                }
            }
        }

        added.Sort(ByPath);
        var prefix = path.Length == 1 ? 1 : path.Length + 1;
        var lookup = changed.GetAlternateLookup<ReadOnlySpan<char>>();
        var merged = new List<FileSystemEntry>(original.Length + added.Count);
        var next = 0;
        foreach (var entry in original)
        {
            var rest = entry.Path.AsSpan(prefix);
            var slash = rest.IndexOf('/');
            if (lookup.Contains(slash < 0 ? rest : rest[..slash]))
            {
                continue;
            }

            for (; next < added.Count && ByPath(added[next], entry) < 0; next++)
            {
                merged.Add(added[next]);
            }

            merged.Add(entry);
        }

        merged.AddRange(added.Skip(next));
        return [.. merged];
    }

    private static int ByPath(FileSystemEntry a, FileSystemEntry b) => string.CompareOrdinal(a.Path, b.Path);
}
