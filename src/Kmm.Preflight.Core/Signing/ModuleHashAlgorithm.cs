namespace Kmm.Preflight.Core.Signing;

/// <summary>The digest a module signature is made over, as the kernel's <c>sign-file</c> names it.</summary>
public enum ModuleHashAlgorithm
{
    /// <summary>SHA-256 (<c>sha256</c>), what KMM and the kernel's own build use.</summary>
    Sha256,

    /// <summary>SHA-384 (<c>sha384</c>).</summary>
    Sha384,

    /// <summary>SHA-512 (<c>sha512</c>).</summary>
    Sha512,
}
