namespace Kmm.Preflight.Oci.Layers.Tar;

/// <summary>What a tar entry is, after metadata headers (PAX, GNU long names) have been applied.</summary>
internal enum TarEntryKind
{
    /// <summary>A regular file (type <c>0</c>, <c>\0</c> or <c>7</c>).</summary>
    RegularFile,
    /// <summary>A hard link to an earlier entry (type <c>1</c>).</summary>
    HardLink,
    /// <summary>A symbolic link (type <c>2</c>).</summary>
    SymbolicLink,
    /// <summary>A character device (type <c>3</c>).</summary>
    CharacterDevice,
    /// <summary>A block device (type <c>4</c>).</summary>
    BlockDevice,
    /// <summary>A directory (type <c>5</c>).</summary>
    Directory,
    /// <summary>A FIFO (type <c>6</c>).</summary>
    Fifo,
    /// <summary>Anything else (sparse files, volume labels…): skipped by the index.</summary>
    Other,
}
