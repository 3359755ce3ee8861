namespace Kmm.Preflight.Oci.Sources;

/// <summary>The named image, tag, digest or platform does not exist in its source.</summary>
public class ImageNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message naming the image.</summary>
    public ImageNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ImageNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
