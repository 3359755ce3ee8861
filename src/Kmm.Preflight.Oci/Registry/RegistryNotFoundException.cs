using System.Net;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>The repository, tag, manifest or blob does not exist (404, <c>NAME_UNKNOWN</c>, <c>MANIFEST_UNKNOWN</c>, <c>BLOB_UNKNOWN</c>).</summary>
public sealed class RegistryNotFoundException : RegistryException
{
    /// <summary>Creates the exception.</summary>
    public RegistryNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RegistryNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public RegistryNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an error status.</summary>
    public RegistryNotFoundException(string message, HttpStatusCode? statusCode, IReadOnlyList<string> errorCodes)
        : base(message, statusCode, errorCodes)
    {
    }
}
