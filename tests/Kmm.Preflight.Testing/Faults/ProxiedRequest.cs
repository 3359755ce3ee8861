namespace Kmm.Preflight.Testing.Faults;

/// <summary>A request the <see cref="FaultProxy"/> received.</summary>
/// <param name="Method">The method.</param>
/// <param name="Target">The request target (path and query).</param>
/// <param name="Range">The <c>Range</c> header, or null.</param>
/// <param name="ViaStorage">Whether it came to the storage listener (a followed redirect) rather than the registry one.</param>
public sealed record ProxiedRequest(string Method, string Target, string? Range, bool ViaStorage)
{
    /// <summary>The path without the query.</summary>
    public string Path => Target.Split('?')[0];

    /// <summary>Whether it is a GET of a blob.</summary>
    public bool IsBlobGet => Method == "GET" && Path.Contains("/blobs/sha256:", StringComparison.Ordinal);

    /// <summary>Whether it is a GET of a manifest.</summary>
    public bool IsManifestGet => Method == "GET" && Path.Contains("/manifests/", StringComparison.Ordinal);

    /// <summary>Whether it asks for blob <paramref name="digest"/>.</summary>
    public bool IsBlob(string digest) => IsBlobGet && Path.EndsWith("/blobs/" + digest, StringComparison.Ordinal);
}
