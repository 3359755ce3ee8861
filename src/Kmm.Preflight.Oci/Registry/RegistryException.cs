using System.Net;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// A registry operation failed: an error status (with the registry's error codes, e.g. <c>MANIFEST_UNKNOWN</c>,
/// <c>DENIED</c>, <c>TOOMANYREQUESTS</c>), an unreachable host, a TLS failure or a timeout. The message names the
/// reference and the registry.
/// </summary>
public class RegistryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RegistryException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RegistryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public RegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an error status.</summary>
    public RegistryException(string message, HttpStatusCode? statusCode, IReadOnlyList<string> errorCodes, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCodes = errorCodes ?? [];
    }

    /// <summary>The HTTP status, or null when no response came (connection, TLS, timeout).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The registry's error codes from the JSON error body; empty when none.</summary>
    public IReadOnlyList<string> ErrorCodes { get; } = [];
}
