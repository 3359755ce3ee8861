namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>Bytes <c>[Start, Start + Length)</c> of the file at <c>Path</c>.</summary>
internal sealed record FileRange(string Path, long Start, long Length);
