using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Core.Images;

/// <summary>An image could not be opened or read; <see cref="Failure"/> says why in a way a caller can act on.</summary>
public sealed class ImageAccessException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageAccessException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ImageAccessException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ImageAccessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="image"/>.</summary>
    public ImageAccessException(ImageAccessFailure failure, string image, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        Image = image;
    }

    /// <summary>The kind of failure.</summary>
    public ImageAccessFailure Failure { get; }

    /// <summary>The image reference.</summary>
    public string? Image { get; }

    /// <summary>The exception for a failure to open or read <paramref name="image"/>, its kind read from <see cref="RegistryFailure"/>.</summary>
    internal static ImageAccessException For(string image, Exception exception)
    {
        var failure = RegistryFailure.Of(exception).Kind switch
        {
            RegistryFailureKind.NotFound => ImageAccessFailure.NotFound,
            RegistryFailureKind.Unauthorized => ImageAccessFailure.Unauthorized,
            RegistryFailureKind.Invalid => ImageAccessFailure.Invalid,
            _ => ImageAccessFailure.Unreachable,
        };
        return new ImageAccessException(failure, image, exception.Message, exception);
    }
}
