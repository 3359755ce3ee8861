namespace Kmm.Preflight.Oci.Layers.Tar;

/// <summary>Where a header is, for error messages; formatted only when an error is raised.</summary>
/// <param name="Index">0-based header index.</param>
/// <param name="Offset">Offset of the header in the uncompressed stream.</param>
internal readonly record struct TarPosition(long Index, long Offset)
{
    public override string ToString() => $"Tar entry {Index} at offset {Offset}";
}
