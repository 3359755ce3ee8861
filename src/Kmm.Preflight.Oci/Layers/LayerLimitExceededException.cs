namespace Kmm.Preflight.Oci.Layers;

/// <summary>A layer exceeded one of the <see cref="LayerLimits"/>.</summary>
public sealed class LayerLimitExceededException : IOException
{
    /// <summary>Creates the exception.</summary>
    public LayerLimitExceededException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LayerLimitExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public LayerLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
