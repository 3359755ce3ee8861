namespace Kmm.Preflight.Core.Images;

/// <summary>What a push wrote: the reference pushed to, the manifest digest and the bytes it cost.</summary>
public sealed record PublishedImage
{
    /// <summary>The reference as pushed, e.g. <c>host/repo:tag</c>.</summary>
    public required string Reference { get; init; }

    /// <summary>The pushed manifest's digest (<c>sha256:…</c>).</summary>
    public required string Digest { get; init; }

    /// <summary>Blob bytes uploaded (blobs the registry had, or mounted, cost nothing).</summary>
    public long BytesUploaded { get; init; }

    /// <summary>Blobs uploaded.</summary>
    public int BlobsUploaded { get; init; }

    /// <summary>Blobs the registry already had or mounted from another repository.</summary>
    public int BlobsReused { get; init; }

    /// <summary><c>reference@digest</c>.</summary>
    public override string ToString() => $"{Reference}@{Digest}";
}
