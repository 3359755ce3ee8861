namespace Kmm.Preflight.Core.Model;

/// <summary>
/// A KMM <c>PreflightValidationOCP</c>, either shape: the older one gives <see cref="ReleaseImage"/> (and
/// <see cref="UseRtKernel"/>), the newer one <see cref="KernelVersion"/> and <see cref="DtkImage"/>.
/// </summary>
public sealed record PreflightValidationOcp
{
    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>The namespace.</summary>
    /// <value>Default <c>default</c>.</value>
    public string Namespace { get; init; } = "default";

    /// <summary>The apiVersion as written.</summary>
    public string ApiVersion { get; init; } = "kmm.sigs.x-k8s.io/v1beta2";

    /// <summary>The OpenShift release image (older shape); null when not set.</summary>
    public string? ReleaseImage { get; init; }

    /// <summary>Whether the real-time kernel is the target (older shape).</summary>
    public bool UseRtKernel { get; init; }

    /// <summary>The target kernel (newer shape); null when not set.</summary>
    public string? KernelVersion { get; init; }

    /// <summary>The driver-toolkit image (newer shape); null when not set.</summary>
    public string? DtkImage { get; init; }

    /// <summary>Whether built or signed images are pushed.</summary>
    public bool PushBuiltImage { get; init; }
}
