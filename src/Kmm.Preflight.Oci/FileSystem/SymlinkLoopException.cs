namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// A path of an image's filesystem cannot be resolved because its symbolic links loop (or more than
/// <c>40</c> are followed, Linux's limit): the <c>ELOOP</c> of the image, as distinct from a path that does not exist.
/// </summary>
public sealed class SymlinkLoopException : IOException
{
    /// <summary>Creates the exception.</summary>
    public SymlinkLoopException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SymlinkLoopException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public SymlinkLoopException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public SymlinkLoopException(string message, string path)
        : base(message)
    {
        Path = path;
    }

    /// <summary>The path as asked for, or null when not given.</summary>
    public string? Path { get; }
}
