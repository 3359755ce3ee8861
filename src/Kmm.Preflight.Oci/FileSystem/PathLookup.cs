namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>The result of resolving a path: a status and, when found, the node.</summary>
internal readonly record struct PathLookup(PathLookupStatus Status, MergedNode? Node)
{
    public static PathLookup NotFound => new(PathLookupStatus.NotFound, null);

    public static PathLookup Undecided => new(PathLookupStatus.Undecided, null);

    public static PathLookup Loop => new(PathLookupStatus.SymlinkLoop, null);
}
