using System.Text;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>One path of a <see cref="MergedTree"/>: an entry, an implicit directory, or a tombstone hiding lower layers.</summary>
internal sealed class MergedNode
{
    public MergedNode(string name, MergedNode? parent, int layer, MergedTree owner)
    {
        Name = name;
        Parent = parent;
        Layer = layer;
        Owner = owner;
    }

    /// <summary>
    /// The tree that may change this node while it is built. A tree derived from a lower one shares the lower tree's
    /// nodes and copies one (<see cref="CopyFor"/>) before changing it, so the lower tree stays as it was.
    /// </summary>
    public MergedTree Owner { get; }

    /// <summary>The last path component ("" for the root).</summary>
    public string Name { get; }

    /// <summary>The containing directory; null for the root.</summary>
    public MergedNode? Parent { get; }

    /// <summary>Index of the layer that provides this path (for an implicit directory, the layer that needed it).</summary>
    public int Layer { get; set; }

    /// <summary>What is here.</summary>
    public EntryType Type { get; set; } = EntryType.Directory;

    /// <summary>A path deleted by a whiteout: known absent, hides lower layers.</summary>
    public bool IsTombstone { get; set; }

    /// <summary>The layer entry (null for the root and implicit directories).</summary>
    public LayerIndexEntry? Entry { get; set; }

    /// <summary>The entry holding a regular file's data (the hard link's target for hard links).</summary>
    public LayerIndexEntry? DataEntry { get; set; }

    /// <summary>The layer holding <see cref="DataEntry"/>.</summary>
    public int DataLayer { get; set; }

    /// <summary>
    /// The node of the lower tree this one was copied from (<see cref="CopyFor"/>), null for a node made here: children
    /// that are still the very same objects as the original's are unchanged subtrees, whose search entries can be reused.
    /// </summary>
    public MergedNode? Original { get; private init; }

    /// <summary>Children of a directory, by name.</summary>
    public Dictionary<string, MergedNode>? Children { get; set; }

    /// <summary>
    /// For a directory: whether a child missing from <see cref="Children"/> is known to be absent. False while lower
    /// layers not yet read might still provide children.
    /// </summary>
    public bool Complete { get; set; }

    public bool IsDirectory => !IsTombstone && Type == EntryType.Directory;

    /// <summary>The normalised path (no leading slash).</summary>
    public string RelativePath
    {
        get
        {
            if (Parent is null)
            {
                return string.Empty;
            }

            if (Parent.Parent is null)
            {
                return Name;
            }

            var names = new List<string>();
            for (var node = this; node.Parent is not null; node = node.Parent)
            {
                names.Add(node.Name);
            }

            names.Reverse();
            var builder = new StringBuilder();
            foreach (var name in names)
            {
                if (builder.Length > 0)
                {
                    builder.Append('/');
                }

                builder.Append(name);
            }

            return builder.ToString();
        }
    }

    public MergedNode AddChild(string name, int layer)
    {
        Children ??= new Dictionary<string, MergedNode>(StringComparer.Ordinal);
        var child = new MergedNode(name, this, layer, Owner);
        Children[name] = child;
        return child;
    }

    /// <summary>A copy of this node owned by <paramref name="owner"/>, sharing the children until they change too.</summary>
    /// <remarks>
    /// The shared children keep their old <see cref="Parent"/>: it has the same name at the same path, and parents
    /// serve only to spell <see cref="RelativePath"/>.
    /// </remarks>
    public MergedNode CopyFor(MergedTree owner, MergedNode? parent) => new(Name, parent, Layer, owner)
    {
        Original = this,
        Type = Type,
        IsTombstone = IsTombstone,
        Entry = Entry,
        DataEntry = DataEntry,
        DataLayer = DataLayer,
        Complete = Complete,
        Children = Children is null ? null : new Dictionary<string, MergedNode>(Children, StringComparer.Ordinal),
    };

    /// <summary>
    /// Every visible descendant as the entries a search returns, sorted by path: made once for a node of a published
    /// (so unchanging) tree, then every search of the directory filters it instead of walking the subtree again.
    /// </summary>
    public FileSystemEntry[]? Descendants;
}
