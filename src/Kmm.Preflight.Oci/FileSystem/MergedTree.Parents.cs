using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// The directory an entry goes into. Walking every entry's parent again (splitting it, one lookup a component) was most
/// of the cost of merging a 5,000-entry layer, so the parent the previous entry went into is reused, and so is every
/// directory reached without a symlink (a tar sorted by name interleaves a directory's files with its subdirectories').
/// That is safe because applying an entry changes only the entry's own path, a child of its parent, never the parent
/// or its ancestors, and a directory it replaces (with a file or a link) makes all that is kept be dropped; whiteouts
/// and opaque markers, which do remove nodes, are applied in a pass of their own, and what is kept is dropped around it.
/// </summary>
internal sealed partial class MergedTree
{
    // Only written while a layer is applied, which one thread does before the tree is published.
    private readonly Dictionary<string, MergedNode> _literalDirectories = new(StringComparer.Ordinal);
    private string? _lastParentPath;
    private MergedNode? _lastParent;

    /// <summary>Whether the parent <see cref="ParentOf"/> returned last was reached without following a symlink.</summary>
    private bool _parentIsLiteral;

    private void ForgetParents()
    {
        (_lastParentPath, _lastParent) = (null, null);
        _literalDirectories.Clear();
    }

    /// <summary>The directory node <paramref name="path"/>'s parent resolves to (made if missing), or null when it cannot be one.</summary>
    private MergedNode? ParentOf(int layer, string path)
    {
        var slash = path.LastIndexOf('/');
        var parentPath = slash < 0 ? ReadOnlySpan<char>.Empty : path.AsSpan(0, slash);
        _parentIsLiteral = true;
        if (_lastParent is not null && parentPath.SequenceEqual(_lastParentPath))
        {
            return _lastParent;
        }

        if (_literalDirectories.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(parentPath, out var knownPath, out var known))
        {
            (_lastParentPath, _lastParent) = (knownPath, known);
            return known;
        }

        var parentText = slash < 0 ? string.Empty : path[..slash];
        var parent = Walk(parentText, create: true, followLast: true, layer, out var followedSymlinks);
        if (parent is not { Status: PathLookupStatus.Found, Node.IsDirectory: true })
        {
            _logger?.LogWarning("Entry /{Path} of layer {Layer} skipped: its parent cannot be resolved ({Status})", path, layer, parent.Status);
            return null;
        }

        // A path reached through a symlink also depends on where the link points, which an entry elsewhere may change:
        // such a parent is walked again each time.
        _parentIsLiteral = !followedSymlinks;
        (_lastParentPath, _lastParent) = followedSymlinks ? (null, null) : (parentText, parent.Node);
        if (!followedSymlinks)
        {
            _literalDirectories[parentText] = parent.Node!;
        }

        return parent.Node;
    }

    /// <summary>Keeps the directory just applied at <paramref name="path"/>, the likely parent of the next entries.</summary>
    private void RememberDirectory(string path, MergedNode directory)
    {
        if (_parentIsLiteral)
        {
            _literalDirectories[path] = directory;
        }
    }
}
