namespace Kmm.Preflight.Core.Images;

/// <summary>Why an image could not be opened.</summary>
public enum ImageAccessFailure
{
    /// <summary>The repository, tag, digest or platform does not exist.</summary>
    NotFound,

    /// <summary>The registry refused the credentials (or wanted some).</summary>
    Unauthorized,

    /// <summary>The registry could not be reached or answered with an error.</summary>
    Unreachable,

    /// <summary>The reference, manifest or a layer is malformed.</summary>
    Invalid,
}
