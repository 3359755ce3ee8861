namespace Kmm.Preflight.Oci.Registry;

/// <summary>Why talking to a registry (or opening an image) failed, in the terms a caller acts on.</summary>
public enum RegistryFailureKind
{
    /// <summary>The registry answered with an error status that is none of the kinds below (e.g. 500, 429).</summary>
    Error,

    /// <summary>The repository, tag, manifest, blob or image does not exist (404, <c>MANIFEST_UNKNOWN</c>…).</summary>
    NotFound,

    /// <summary>The registry or its token server refused the credentials, or wanted some (401/403).</summary>
    Unauthorized,

    /// <summary>The TLS handshake failed: an untrusted certificate, or a host that does not speak TLS.</summary>
    Tls,

    /// <summary>No answer: the host name did not resolve, the connection was refused, reset or could not be made.</summary>
    Unreachable,

    /// <summary>The connection or the response did not come within the configured time.</summary>
    Timeout,

    /// <summary>The reference, a manifest or a blob is malformed.</summary>
    Invalid,
}
