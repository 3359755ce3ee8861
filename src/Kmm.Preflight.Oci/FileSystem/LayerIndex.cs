using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>What one layer holds: its entries in tar order, from one streaming pass over the blob.</summary>
internal sealed class LayerIndex
{
    private Dictionary<string, LayerIndexEntry>? _files;

    public LayerIndex(Digest digest, IReadOnlyList<LayerIndexEntry> entries, long uncompressedSize)
    {
        Digest = digest;
        Entries = entries;
        UncompressedSize = uncompressedSize;
    }

    /// <summary>The layer's digest.</summary>
    public Digest Digest { get; }

    /// <summary>The entries, in tar order.</summary>
    public IReadOnlyList<LayerIndexEntry> Entries { get; }

    /// <summary>Size of the uncompressed tar.</summary>
    public long UncompressedSize { get; }

    /// <summary>The last regular file at <paramref name="path"/> (a hard link's target), or null.</summary>
    public LayerIndexEntry? FindFile(string path)
    {
        var files = Volatile.Read(ref _files);
        if (files is null)
        {
            files = new Dictionary<string, LayerIndexEntry>(StringComparer.Ordinal);
            foreach (var entry in Entries)
            {
                if (entry.Kind == LayerEntryKind.File)
                {
                    files[entry.Path] = entry;
                }
                else if (entry.Kind == LayerEntryKind.Hardlink && entry.LinkTarget is not null && files.TryGetValue(entry.LinkTarget, out var target))
                {
                    // A link to a link: tar writers only link to earlier entries, so the target is already known.
                    files[entry.Path] = target;
                }
            }

            Volatile.Write(ref _files, files);
        }

        return files.GetValueOrDefault(path);
    }
}
