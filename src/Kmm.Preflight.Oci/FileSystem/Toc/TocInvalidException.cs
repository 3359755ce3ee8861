namespace Kmm.Preflight.Oci.FileSystem.Toc;

/// <summary>
/// A layer's table of contents cannot be trusted or used (bad annotation, footer, digest, JSON, or a bound exceeded).
/// Never fatal: the layer is streamed instead, and the reason is reported.
/// </summary>
internal sealed class TocInvalidException : Exception
{
    public TocInvalidException(string message)
        : base(message)
    {
    }

    public TocInvalidException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
