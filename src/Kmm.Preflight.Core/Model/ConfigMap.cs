namespace Kmm.Preflight.Core.Model;

/// <summary>A Kubernetes <c>ConfigMap</c> (<c>v1</c>).</summary>
public sealed record ConfigMap
{
    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>The namespace.</summary>
    /// <value>Default <c>default</c>.</value>
    public string Namespace { get; init; } = "default";

    /// <summary>The data.</summary>
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();
}
