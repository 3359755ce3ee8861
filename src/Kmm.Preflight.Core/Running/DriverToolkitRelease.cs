namespace Kmm.Preflight.Core.Running;

/// <summary>
/// What an OpenShift release image says about its kernel: the driver-toolkit (DTK) image named by the release
/// payload's <c>image-references</c>, and that image's <c>etc/driver-toolkit-release.json</c>.
/// </summary>
public sealed record DriverToolkitRelease
{
    /// <summary>The release image as named.</summary>
    public required string ReleaseImage { get; init; }

    /// <summary>The DTK image (by digest, as the release names it); the <c>DTK_AUTO</c> build argument.</summary>
    public required string DriverToolkitImage { get; init; }

    /// <summary><c>KERNEL_VERSION</c>: the kernel the release's nodes run.</summary>
    public required string KernelVersion { get; init; }

    /// <summary><c>RT_KERNEL_VERSION</c>: the real-time kernel; null where the release has none (only x86_64 has one).</summary>
    public string? RtKernelVersion { get; init; }

    /// <summary><c>RHEL_VERSION</c>; null when not stated.</summary>
    public string? RhelVersion { get; init; }
}
