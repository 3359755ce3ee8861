namespace Kmm.Preflight.Testing.Registry;

/// <summary>How a test <see cref="RegistryProcess"/> is set up.</summary>
public enum RegistryMode
{
    /// <summary>Plain HTTP, anonymous read and write.</summary>
    PlainHttp,

    /// <summary>Plain HTTP with htpasswd Basic authentication.</summary>
    BasicAuth,

    /// <summary>HTTPS with a server certificate from a CA the test makes; anonymous.</summary>
    Tls,

    /// <summary>HTTPS with bearer-token authentication against an in-process HTTPS token server.</summary>
    TokenAuth,
}
