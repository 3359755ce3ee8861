namespace Kmm.Preflight.Core.Model;

/// <summary>A KMM <c>PreflightValidation</c> (<c>v1beta1</c>/<c>v1beta2</c>).</summary>
public sealed record PreflightValidation
{
    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>The namespace.</summary>
    /// <value>Default <c>default</c>.</value>
    public string Namespace { get; init; } = "default";

    /// <summary>The apiVersion as written, e.g. <c>kmm.sigs.x-k8s.io/v1beta2</c>.</summary>
    public string ApiVersion { get; init; } = "kmm.sigs.x-k8s.io/v1beta2";

    /// <summary>The target kernel.</summary>
    public required string KernelVersion { get; init; }

    /// <summary>Whether built or signed images are pushed.</summary>
    public bool PushBuiltImage { get; init; }
}
