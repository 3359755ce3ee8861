namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>The kind of an entry in one layer's index.</summary>
internal enum LayerEntryKind : byte
{
    /// <summary>A regular file.</summary>
    File,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link.</summary>
    Symlink,
    /// <summary>A hard link to another entry of the same layer.</summary>
    Hardlink,
    /// <summary>A character device.</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A FIFO.</summary>
    Fifo,
    /// <summary>A <c>.wh.NAME</c> whiteout: <see cref="LayerIndexEntry.Path"/> is the path it deletes from lower layers.</summary>
    Whiteout,
    /// <summary>A <c>.wh..wh..opq</c> marker: <see cref="LayerIndexEntry.Path"/> is the directory whose lower children are hidden.</summary>
    OpaqueDirectory,
}
