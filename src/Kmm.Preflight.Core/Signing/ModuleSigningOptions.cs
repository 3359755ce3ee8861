namespace Kmm.Preflight.Core.Signing;

/// <summary>How <see cref="ModuleSigner"/> signs a module.</summary>
public sealed record ModuleSigningOptions
{
    /// <summary>The options KMM uses: SHA-256.</summary>
    public static ModuleSigningOptions Default { get; } = new();

    /// <summary>The digest the signature is made over.</summary>
    /// <value>Default: <see cref="ModuleHashAlgorithm.Sha256"/>, as KMM signs.</value>
    public ModuleHashAlgorithm HashAlgorithm { get; init; } = ModuleHashAlgorithm.Sha256;
}
