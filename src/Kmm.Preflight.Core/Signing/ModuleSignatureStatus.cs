namespace Kmm.Preflight.Core.Signing;

/// <summary>The outcome of checking a module's signature against a certificate.</summary>
public enum ModuleSignatureStatus
{
    /// <summary>The signature is the certificate key's signature over the module as it is.</summary>
    Valid,

    /// <summary>The module has no <c>~Module signature appended~</c> marker.</summary>
    NotSigned,

    /// <summary>The trailer before the marker is wrong: <c>sig_len</c> does not fit, <c>id_type</c> is not 2 (PKCS#7), or a field that must be 0 is not.</summary>
    CorruptTrailer,

    /// <summary>The signature bytes are not a detached CMS/PKCS#7 SignedData with a signer.</summary>
    MalformedSignature,

    /// <summary>The signature uses a digest or signature algorithm this verifier cannot check.</summary>
    UnsupportedAlgorithm,

    /// <summary>The signature names another certificate (issuer and serial, or key id), or was made with another key.</summary>
    SignedByAnotherKey,

    /// <summary>
    /// The signature names the certificate but does not match the module's digest: the module was modified after it
    /// was signed. For ECDSA this is also what a different key with the certificate's issuer and serial looks like.
    /// </summary>
    ContentModified,
}
