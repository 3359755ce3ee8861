namespace Kmm.Preflight.Core.Stages.Image;

/// <summary>Options of the Image stage.</summary>
public sealed record ImageStageOptions
{
    /// <summary>The largest module file read (compressed size as stored).</summary>
    /// <value>Default 256 MiB.</value>
    public long MaxModuleBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>The largest <c>modules.dep</c>/<c>modules.dep.bin</c> read.</summary>
    /// <value>Default 64 MiB.</value>
    public long MaxModulesDepBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Whether the module's <c>vermagic</c> must match the kernel.</summary>
    /// <value>Default true.</value>
    public bool CheckVermagic { get; init; } = true;

    /// <summary>Whether <c>modules.dep</c> must exist and list the module.</summary>
    /// <value>Default true.</value>
    public bool CheckModulesDep { get; init; } = true;

    /// <summary>Whether the modules of <c>modulesLoadingOrder</c> must be present.</summary>
    /// <value>Default true.</value>
    public bool CheckModulesLoadingOrder { get; init; } = true;

    /// <summary>Whether <c>firmwarePath</c> must exist when set.</summary>
    /// <value>Default true.</value>
    public bool CheckFirmwarePath { get; init; } = true;

    /// <summary>Whether the module's signature is read and reported.</summary>
    /// <value>Default true.</value>
    public bool ReportSignature { get; init; } = true;
}
