namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// A signing key or certificate cannot be used: unreadable (neither PEM nor DER, encrypted, empty), of a type the
/// kernel does not verify, or a key that does not belong to the certificate. The message names what is wrong.
/// </summary>
public sealed class ModuleSigningKeyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModuleSigningKeyException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public ModuleSigningKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public ModuleSigningKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
