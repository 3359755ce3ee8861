namespace Kmm.Preflight.Oci.Layers;

/// <summary>A range of a blob was asked for and the source answered with the whole blob (HTTP 200 instead of 206).</summary>
internal sealed class RangeIgnoredException : IOException
{
    public RangeIgnoredException(string message)
        : base(message)
    {
    }
}
