namespace Kmm.Preflight.Core.Model;

/// <summary>KMM's <c>moduleLoader.container.modprobe</c>.</summary>
public sealed record ModprobeSpec
{
    /// <summary>The default of <see cref="DirName"/>, applied by the API server.</summary>
    public const string DefaultDirName = "/opt";

    /// <summary>The module to load, as modprobe names it.</summary>
    public required string ModuleName { get; init; }

    /// <summary>The directory modprobe is pointed at with <c>-d</c>.</summary>
    /// <value>Default <c>/opt</c>.</value>
    public string DirName { get; init; } = DefaultDirName;

    /// <summary>The firmware directory in the image; null when not set.</summary>
    public string? FirmwarePath { get; init; }

    /// <summary>Module parameters.</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];

    /// <summary>Extra modprobe arguments; null when not set.</summary>
    public ModprobeArgs? Args { get; init; }

    /// <summary>Raw modprobe arguments replacing the defaults; null when not set.</summary>
    public ModprobeArgs? RawArgs { get; init; }

    /// <summary>Modules loaded in this order (the last one is <see cref="ModuleName"/> in KMM's convention).</summary>
    public IReadOnlyList<string> ModulesLoadingOrder { get; init; } = [];
}
