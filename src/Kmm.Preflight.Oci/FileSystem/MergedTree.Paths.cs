namespace Kmm.Preflight.Oci.FileSystem;

/// <content>Walks that carry each node's absolute path, built from its parent's, instead of rebuilding it per node.</content>
internal sealed partial class MergedTree
{
    /// <summary>The visible children of <paramref name="directory"/> (at <paramref name="path"/>), with their absolute paths.</summary>
    public static IEnumerable<(MergedNode Node, string Path)> ChildrenWithPaths(MergedNode directory, string path)
        => ChildrenOf(directory).Select(child => (child, Join(path, child.Name)));

    /// <summary>All visible descendants of <paramref name="directory"/> (at <paramref name="path"/>) with their absolute paths, not descending through symlinks.</summary>
    public static IEnumerable<(MergedNode Node, string Path)> DescendantsWithPaths(MergedNode directory, string path)
    {
        // A listing of a 5,000-entry module tree per module made rebuilding every path from its ancestors the main cost.
        var pending = new Stack<(MergedNode Node, string Path)>();
        pending.Push((directory, path));
        while (pending.TryPop(out var current))
        {
            foreach (var child in ChildrenOf(current.Node))
            {
                var childPath = Join(current.Path, child.Name);
                yield return (child, childPath);
                if (child.IsDirectory)
                {
                    pending.Push((child, childPath));
                }
            }
        }
    }

    /// <summary>The absolute path of <paramref name="name"/> in the directory at <paramref name="directory"/>.</summary>
    public static string Join(string directory, string name) => directory.Length == 1 ? "/" + name : directory + "/" + name;
}
