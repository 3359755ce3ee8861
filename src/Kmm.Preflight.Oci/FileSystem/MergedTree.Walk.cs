namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>Path resolution: component by component, through symlinks, clamped at the root.</summary>
internal sealed partial class MergedTree
{
    private PathLookup Walk(string path, bool create, bool followLast, int layer) => Walk(path, create, followLast, layer, out _);

    private PathLookup Walk(string path, bool create, bool followLast, int layer, out bool followedSymlinks)
    {
        followedSymlinks = false;
        var stack = new List<MergedNode>(8) { Root };
        var pending = new Stack<string>();
        PushComponents(pending, path);
        var hops = 0;
        while (pending.TryPop(out var component))
        {
            if (component.Length == 0 || component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                if (stack.Count > 1)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                continue;
            }

            var current = stack[^1];
            var isLast = pending.Count == 0;
            MergedNode? child = null;
            current.Children?.TryGetValue(component, out child);
            if (child is null || child.IsTombstone)
            {
                var known = child is not null || current.Complete;
                if (!create)
                {
                    return known ? PathLookup.NotFound : PathLookup.Undecided;
                }

                // Runtimes create missing parents; below an incomplete directory a lower layer might have put a
                // symlink here instead, so the tree can no longer decide anything on its own.
                HasAssumptions |= !known;
                var implicitDirectory = current.AddChild(component, layer);
                implicitDirectory.Complete = known;
                stack.Add(implicitDirectory);
                continue;
            }

            if (child.Type == EntryType.Symlink && (!isLast || followLast || create))
            {
                followedSymlinks = true;
                if (++hops > MaxSymlinkHops)
                {
                    return PathLookup.Loop;
                }

                var target = child.Entry?.LinkTarget ?? string.Empty;
                if (target.StartsWith('/'))
                {
                    stack.RemoveRange(1, stack.Count - 1);
                }

                PushComponents(pending, target);
                continue;
            }

            if (child.IsDirectory || (isLast && !create))
            {
                // Whatever a walk that creates reaches, the caller may change: make it this tree's own first.
                stack.Add(create ? Own(current, component, child) : child);
                continue;
            }

            if (!create)
            {
                return PathLookup.NotFound;
            }

            // A file where a directory is needed: the directory replaces it.
            var replacement = current.AddChild(component, layer);
            replacement.Complete = true;
            stack.Add(replacement);
        }

        return new PathLookup(PathLookupStatus.Found, stack[^1]);
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            if (parts[i] != ".")
            {
                pending.Push(parts[i]);
            }
        }
    }
}
