namespace Kmm.Preflight.Core.Model;

/// <summary>A Kubernetes <c>Secret</c> (<c>v1</c>): <c>data</c> (base64) and <c>stringData</c> merged, decoded.</summary>
public sealed record Secret
{
    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>The namespace.</summary>
    /// <value>Default <c>default</c>.</value>
    public string Namespace { get; init; } = "default";

    /// <summary>The type, e.g. <c>kubernetes.io/dockerconfigjson</c>; <c>Opaque</c> when not set.</summary>
    public string Type { get; init; } = "Opaque";

    /// <summary>The decoded data; <c>stringData</c> entries override <c>data</c> ones as the API server does.</summary>
    public IReadOnlyDictionary<string, byte[]> Data { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>Never prints the data.</summary>
    public override string ToString() => $"Secret {Namespace}/{Name} (type {Type}, {Data.Count} keys)";
}
