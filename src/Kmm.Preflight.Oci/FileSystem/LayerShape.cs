namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// What a layer's entries allow a point query to skip (see <see cref="PathOnlyLookup"/>): each property is worked out
/// on first use, from the entries alone, and kept with the index.
/// </summary>
internal sealed class LayerShape
{
    private readonly IReadOnlyList<LayerIndexEntry> _entries;
    private int _plain;
    private int _parentsListed;

    public LayerShape(IReadOnlyList<LayerIndexEntry> entries) => _entries = entries;

    /// <summary>
    /// Whether the layer holds no symlink, hard link, whiteout or opaque marker: then every entry lands at the path its
    /// name spells, and changes nothing but that path and the directories above it.
    /// </summary>
    public bool IsPlain => Known(ref _plain, static entries =>
    {
        foreach (var entry in entries)
        {
            if (entry.Kind is LayerEntryKind.Symlink or LayerEntryKind.Hardlink or LayerEntryKind.Whiteout or LayerEntryKind.OpaqueDirectory)
            {
                return false;
            }
        }

        return true;
    });

    /// <summary>
    /// Whether every entry's parent is the root or a directory of the layer, and every directory's parent comes before
    /// it: applied over unread lower layers, such a layer never makes a directory it does not list, so it assumes
    /// nothing about them (<see cref="MergedTree.HasAssumptions"/>).
    /// </summary>
    public bool ParentsListed => Known(ref _parentsListed, static entries =>
    {
        // Directories go first when a layer is applied, so a directory's parent must be one listed before it; other
        // entries find every directory of the layer already there.
        var directories = new HashSet<string>(StringComparer.Ordinal);
        var lookup = directories.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var entry in entries)
        {
            if (entry.Kind == LayerEntryKind.Directory)
            {
                if (!IsListed(lookup, entry.Path))
                {
                    return false;
                }

                directories.Add(entry.Path);
            }
        }

        foreach (var entry in entries)
        {
            if (entry.Kind != LayerEntryKind.Directory && !IsListed(lookup, entry.Path))
            {
                return false;
            }
        }

        return true;
    });

    private static bool IsListed(HashSet<string>.AlternateLookup<ReadOnlySpan<char>> directories, string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 || directories.Contains(path.AsSpan(0, slash));
    }

    // 0 while not worked out, then 1 for false and 2 for true: threads that race work out the same answer.
    private bool Known(ref int field, Func<IReadOnlyList<LayerIndexEntry>, bool> compute)
    {
        var known = Volatile.Read(ref field);
        if (known == 0)
        {
            known = compute(_entries) ? 2 : 1;
            Volatile.Write(ref field, known);
        }

        return known == 2;
    }
}
