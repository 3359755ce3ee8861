namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>The kind of an entry in the merged image filesystem.</summary>
public enum EntryType
{
    /// <summary>A regular file (hardlinks are reported as the file they link to).</summary>
    File,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link.</summary>
    Symlink,
    /// <summary>A character device.</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A named pipe.</summary>
    Fifo,
}
