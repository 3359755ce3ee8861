namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// A range of a blob was asked for and the source answered with the whole blob (HTTP 200 instead of 206). Table-of-
/// contents reading throws it when <see cref="IRangeLayer.OpenRangeAsync"/> gives null, so the reader unwinds to the
/// point where it streams the layer instead and says why.
/// </summary>
internal sealed class RangeIgnoredException : IOException
{
    public RangeIgnoredException(string message)
        : base(message)
    {
    }

    /// <summary>The exception for a range of <paramref name="layer"/> that its source would not serve.</summary>
    public static RangeIgnoredException For(ILayer layer) =>
        new($"{layer.Descriptor.Digest}: the registry ignored Range (answered with the whole blob, not the range asked for)");
}
