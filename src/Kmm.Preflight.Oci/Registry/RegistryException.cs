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

    /// <summary>Creates the exception for a failure whose kind the thrower knows (no answer, TLS, timeout).</summary>
    /// <param name="message">What failed, naming the operation and the registry.</param>
    /// <param name="kind">The kind of failure.</param>
    /// <param name="host">The registry host (with port), or null.</param>
    /// <param name="innerException">The cause, or null.</param>
    public RegistryException(string message, RegistryFailureKind kind, string? host, Exception? innerException = null)
        : base(message, innerException)
    {
        _kind = kind;
        _host = host;
    }

    private readonly RegistryFailureKind? _kind;
    private readonly string? _host;
    private RegistryFailure? _failure;

    /// <summary>What the failure means (kind, host, hint, cause); classified once, from what the thrower knew and the inner exceptions.</summary>
    public RegistryFailure Failure => _failure ??= RegistryFailure.Classify(this, _kind, _host);

    /// <summary>The HTTP status, or null when no response came (connection, TLS, timeout).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The registry's error codes from the JSON error body; empty when none.</summary>
    public IReadOnlyList<string> ErrorCodes { get; } = [];
}
