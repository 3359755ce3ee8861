namespace Kmm.Preflight.Oci.Layers;

/// <summary>
/// A layer that cannot be read: a foreign (non-distributable) layer, or a media type that names no tar format.
/// </summary>
public sealed class UnsupportedLayerException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedLayerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UnsupportedLayerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public UnsupportedLayerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
