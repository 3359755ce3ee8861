using Kmm.Preflight.Core.Mapping;
using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Running;

/// <summary>What to validate against: the kernel, the DTK image, whether to push, and the object the status is written to.</summary>
public sealed record PreflightTarget
{
    /// <summary>The target kernel.</summary>
    public required KernelRelease Kernel { get; init; }

    /// <summary>The driver-toolkit image (<c>DTK_AUTO</c>), when known.</summary>
    public string? DtkImage { get; init; }

    /// <summary>Whether built or signed images are pushed.</summary>
    public bool PushBuiltImage { get; init; }

    /// <summary>The kind of the status document: <c>PreflightValidation</c> or <c>PreflightValidationOCP</c>.</summary>
    /// <value>Default <c>PreflightValidation</c>.</value>
    public string Kind { get; init; } = "PreflightValidation";

    /// <summary>The apiVersion of the status document.</summary>
    /// <value>Default <c>kmm.sigs.x-k8s.io/v1beta2</c>.</value>
    public string ApiVersion { get; init; } = "kmm.sigs.x-k8s.io/v1beta2";

    /// <summary>The name of the status document.</summary>
    /// <value>Default <c>preflight</c>.</value>
    public string Name { get; init; } = "preflight";

    /// <summary>The namespace of the status document.</summary>
    /// <value>Default <c>default</c>.</value>
    public string Namespace { get; init; } = "default";

    /// <summary>The spec of the status document, in order.</summary>
    public IReadOnlyDictionary<string, object?> Spec { get; init; } = new Dictionary<string, object?>();

    /// <summary>A target for a kernel given directly (e.g. <c>--kernel</c>).</summary>
    /// <exception cref="FormatException">The kernel has fewer than three fields.</exception>
    public static PreflightTarget ForKernel(string kernel, bool pushBuiltImage = false, string? dtkImage = null)
    {
        var release = KernelRelease.Parse(kernel);
        return new PreflightTarget
        {
            Kernel = release,
            PushBuiltImage = pushBuiltImage,
            DtkImage = dtkImage,
            Spec = new OrderedDictionary<string, object?> { ["kernelVersion"] = release.Full, ["pushBuiltImage"] = pushBuiltImage },
        };
    }

    /// <summary>A target from a PreflightValidation object.</summary>
    /// <exception cref="FormatException">Its kernel has fewer than three fields.</exception>
    public static PreflightTarget From(PreflightValidation validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return ForKernel(validation.KernelVersion, validation.PushBuiltImage) with
        {
            ApiVersion = validation.ApiVersion,
            Name = validation.Name,
            Namespace = validation.Namespace,
        };
    }
}
