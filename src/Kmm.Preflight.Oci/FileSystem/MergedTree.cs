using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// The filesystem that results from applying layers bottom to top as a container runtime extracts them: whiteouts
/// and opaque markers act on lower layers only; each entry's parent path is resolved through the symlinks present
/// at that point (absolute targets from the image root, never above it); a non-directory replaces whatever was at its
/// path, a directory over a directory merges.
/// </summary>
/// <remarks>
/// A tree may start above the bottom layer (<see cref="LowestLayer"/> &gt; 0): what the unread layers below hold is
/// then unknown, and lookups answer <see cref="PathLookupStatus.Undecided"/> whenever it could matter. That lets a
/// point query read the top layers only and stop at the first layer that decides the answer.
/// </remarks>
internal sealed partial class MergedTree
{
    /// <summary>Most symlinks followed while resolving one path (Linux's limit).</summary>
    public const int MaxSymlinkHops = 40;

    private readonly ILogger? _logger;

    /// <summary>Creates an empty tree whose lowest layer will be <paramref name="lowestLayer"/>.</summary>
    public MergedTree(int lowestLayer, ILogger? logger = null)
    {
        LowestLayer = lowestLayer;
        _logger = logger;
        Root = new MergedNode(string.Empty, null, lowestLayer, this) { Complete = lowestLayer == 0 };
    }

    /// <summary>The root directory.</summary>
    public MergedNode Root { get; }

    /// <summary>The lowest layer applied; 0 when the tree is the whole image.</summary>
    public int LowestLayer { get; }

    /// <summary>
    /// Whether some entry was placed under a directory the applied layers do not define (a lower layer might make it a
    /// symlink and move the entry elsewhere): then no answer is final until the lower layers are read.
    /// </summary>
    public bool HasAssumptions { get; private set; }

    /// <summary>Whether <paramref name="lookup"/> is final, whatever the unread lower layers hold.</summary>
    public bool Decides(PathLookup lookup) => LowestLayer == 0 || (!HasAssumptions && lookup.Status != PathLookupStatus.Undecided);

    /// <summary>Applies layer <paramref name="layer"/> on top of what has been applied so far.</summary>
    /// <remarks>
    /// Directories go first, then whiteouts and opaque markers (they delete from lower layers only, wherever they
    /// appear in the tar, and resolve their parents through the layer's own directories), then everything else in
    /// tar order.
    /// </remarks>
    public void Apply(int layer, LayerIndex index)
    {
        ForgetParents();
        foreach (var entry in index.Entries)
        {
            if (entry.Kind == LayerEntryKind.Directory)
            {
                ApplyEntry(layer, entry);
            }
        }

        var removals = false;
        foreach (var entry in index.Entries)
        {
            if (entry.Kind == LayerEntryKind.Whiteout)
            {
                removals = true;
                ApplyWhiteout(layer, entry);
            }
            else if (entry.Kind == LayerEntryKind.OpaqueDirectory)
            {
                removals = true;
                var directory = Walk(entry.Path, create: true, followLast: true, layer);
                if (directory is { Status: PathLookupStatus.Found, Node.IsDirectory: true })
                {
                    HideLowerChildren(directory.Node, layer);
                }
            }
        }

        // The directories kept while applying this layer's directories serve its files too, unless something was
        // removed in between.
        if (removals)
        {
            ForgetParents();
        }

        foreach (var entry in index.Entries)
        {
            if (entry.Kind is not (LayerEntryKind.Directory or LayerEntryKind.Whiteout or LayerEntryKind.OpaqueDirectory))
            {
                ApplyEntry(layer, entry);
            }
        }

        ForgetParents();
    }

    /// <summary>Resolves <paramref name="path"/> (normalised or not) through symlinks.</summary>
    public PathLookup Resolve(string path, bool followLast) => Walk(path, create: false, followLast, Root.Layer);

    /// <summary>Whether no unread layer can add to <paramref name="node"/>'s children (or, when <paramref name="recursive"/>, its subtree).</summary>
    public static bool IsKnownInFull(MergedNode node, bool recursive)
    {
        if (!node.IsDirectory)
        {
            return true;
        }

        if (!node.Complete)
        {
            return false;
        }

        return !recursive || ChildrenOf(node).All(child => IsKnownInFull(child, recursive: true));
    }

    /// <summary>The visible children of a directory.</summary>
    public static IEnumerable<MergedNode> ChildrenOf(MergedNode directory)
        => directory.Children is null ? [] : directory.Children.Values.Where(c => !c.IsTombstone);

    /// <summary>All visible descendants of a directory, not descending through symlinks.</summary>
    public static IEnumerable<MergedNode> DescendantsOf(MergedNode directory)
    {
        var pending = new Stack<MergedNode>();
        pending.Push(directory);
        while (pending.TryPop(out var current))
        {
            foreach (var child in ChildrenOf(current))
            {
                yield return child;
                if (child.IsDirectory)
                {
                    pending.Push(child);
                }
            }
        }
    }

    /// <summary>Removes what lower layers put under <paramref name="directory"/>, keeping this layer's directories.</summary>
    private static void HideLowerChildren(MergedNode directory, int layer)
    {
        directory.Complete = true;
        if (directory.Children is null)
        {
            return;
        }

        foreach (var (name, child) in directory.Children.ToList())
        {
            if (child.Layer == layer && child.IsDirectory)
            {
                HideLowerChildren(child, layer);
            }
            else
            {
                directory.Children.Remove(name);
            }
        }
    }

    private void ApplyWhiteout(int layer, LayerIndexEntry entry)
    {
        var parent = Walk(LayerPath.Parent(entry.Path), create: true, followLast: true, layer);
        if (parent is not { Status: PathLookupStatus.Found, Node.IsDirectory: true })
        {
            _logger?.LogDebug("Whiteout of /{Path} in layer {Layer} ignored: its parent cannot be resolved ({Status})", entry.Path, layer, parent.Status);
            return;
        }

        var directory = parent.Node;
        var name = LayerPath.Name(entry.Path);
        MergedNode? existing = null;
        directory.Children?.TryGetValue(name, out existing);
        if (existing?.Layer == layer)
        {
            // The layer's own entries are not hidden by its whiteouts, but a directory it merged over a lower one
            // is new: the whiteout deleted the lower directory, so nothing of it shows through.
            if (existing.IsDirectory)
            {
                HideLowerChildren(existing, layer);
            }

            return;
        }

        if (existing is not null || !directory.Complete)
        {
            directory.AddChild(name, layer).IsTombstone = true;
        }
    }

    private void ApplyEntry(int layer, LayerIndexEntry entry)
    {
        var directory = ParentOf(layer, entry.Path);
        if (directory is null)
        {
            return;
        }

        var name = LayerPath.Name(entry.Path);
        MergedNode? existing = null;
        directory.Children?.TryGetValue(name, out existing);
        if (entry.Kind == LayerEntryKind.Directory)
        {
            if (existing is { IsDirectory: true })
            {
                existing = Own(directory, name, existing);
                existing.Entry = entry;
                existing.Layer = layer;
                RememberDirectory(entry.Path, existing);
                return;
            }

            var created = directory.AddChild(name, layer);
            created.Entry = entry;

            // Whatever this directory replaced (a file, a symlink, a deleted path) had no children to show through.
            created.Complete = existing is not null || directory.Complete;
            RememberDirectory(entry.Path, created);
            return;
        }

        if (existing is { IsDirectory: true })
        {
            // A directory replaced by a file or link: the parents kept for later entries may lie under it.
            ForgetParents();
        }

        var node = directory.AddChild(name, layer);
        node.Entry = entry;
        node.Type = entry.Kind switch
        {
            LayerEntryKind.Symlink => EntryType.Symlink,
            LayerEntryKind.CharacterDevice => EntryType.CharacterDevice,
            LayerEntryKind.BlockDevice => EntryType.BlockDevice,
            LayerEntryKind.Fifo => EntryType.Fifo,
            _ => EntryType.File,
        };
        if (entry.Kind == LayerEntryKind.File)
        {
            node.DataEntry = entry;
            node.DataLayer = layer;
        }
        else if (entry.Kind == LayerEntryKind.Hardlink)
        {
            LinkHardlink(node, layer, entry);
        }
    }

    private void LinkHardlink(MergedNode node, int layer, LayerIndexEntry entry)
    {
        var target = entry.LinkTarget ?? string.Empty;
        if (entry.DataOffset != LayerIndexEntry.UnresolvedOffset)
        {
            // Resolved while indexing: the entry carries its target's data.
            node.DataEntry = entry;
            node.DataLayer = layer;
            return;
        }

        // Not in this layer: the runtime links to whatever the path names in the filesystem so far.
        var lookup = Walk(target, create: false, followLast: false, layer);
        if (lookup is { Status: PathLookupStatus.Found, Node.Type: EntryType.File })
        {
            node.DataEntry = lookup.Node.DataEntry;
            node.DataLayer = lookup.Node.DataLayer;
        }
        else if (lookup.Status == PathLookupStatus.Undecided)
        {
            HasAssumptions = true;
        }
        else
        {
            _logger?.LogWarning("Hard link /{Path} in layer {Layer} points to /{Target}, which is not a regular file; shown as an empty file", entry.Path, layer, target);
        }
    }
}
