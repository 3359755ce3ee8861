using Kmm.Preflight.Core.Signing;

namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>Options of the Sign stage (see <see cref="SignStageBuilderExtensions.AddSignStage"/>).</summary>
public sealed record SignStageOptions
{
    /// <summary>The digest each signature is made over.</summary>
    /// <value>Default SHA-256, as KMM's signing job (the kernel's <c>sign-file sha256</c>) signs.</value>
    public ModuleHashAlgorithm HashAlgorithm { get; init; } = ModuleHashAlgorithm.Sha256;

    /// <summary>The largest file <c>filesToSign</c> may match; a larger one fails the stage instead of filling memory.</summary>
    /// <value>Default 256 MiB (the largest module of a distribution kernel is a few tens of MiB).</value>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>The most files <c>filesToSign</c> may match for one module.</summary>
    /// <value>Default 10,000 (a whole kernel has about 4,000 modules).</value>
    public int MaxFiles { get; init; } = 10_000;
}
