using System.Net;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// The registry or its token server refused the credentials, or none were given where needed (401/403,
/// <c>UNAUTHORIZED</c>, <c>DENIED</c>). Callers may ask for other credentials.
/// </summary>
public sealed class RegistryUnauthorizedException : RegistryException
{
    /// <summary>Creates the exception.</summary>
    public RegistryUnauthorizedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RegistryUnauthorizedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public RegistryUnauthorizedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an error status.</summary>
    public RegistryUnauthorizedException(string message, HttpStatusCode? statusCode, IReadOnlyList<string> errorCodes)
        : base(message, statusCode, errorCodes)
    {
    }
}
