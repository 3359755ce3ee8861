namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>The outcome of resolving a path in a <see cref="MergedTree"/>.</summary>
internal enum PathLookupStatus
{
    /// <summary>The path exists.</summary>
    Found,
    /// <summary>The path does not exist.</summary>
    NotFound,
    /// <summary>Symbolic links loop, or more than <see cref="MergedTree.MaxSymlinkHops"/> were followed.</summary>
    SymlinkLoop,
    /// <summary>The layers read so far do not decide; lower layers are needed.</summary>
    Undecided,
}
