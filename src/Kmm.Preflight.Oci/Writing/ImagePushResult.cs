using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>What <see cref="ImagePusher.PushAsync"/> did.</summary>
public sealed record ImagePushResult
{
    /// <summary>Where the image was pushed.</summary>
    public required ImageReference Reference { get; init; }

    /// <summary>The pushed manifest's digest (<c>Reference.WithDigest(Digest)</c> names exactly this image).</summary>
    public required Digest Digest { get; init; }

    /// <summary>Each layer (bottom first), then the config.</summary>
    public required IReadOnlyList<BlobPush> Blobs { get; init; }

    /// <summary>Blob bytes sent to the registry (uploaded blobs' sizes; the manifest not included).</summary>
    public long BytesUploaded => Blobs.Where(b => b.Outcome == BlobPushOutcome.Uploaded).Sum(b => b.Descriptor.Size);

    /// <summary>How many blobs were uploaded.</summary>
    public int Uploaded => Blobs.Count(b => b.Outcome == BlobPushOutcome.Uploaded);

    /// <summary>How many blobs were mounted from another repository.</summary>
    public int Mounted => Blobs.Count(b => b.Outcome == BlobPushOutcome.Mounted);

    /// <summary>How many blobs the target already had.</summary>
    public int AlreadyPresent => Blobs.Count(b => b.Outcome == BlobPushOutcome.AlreadyPresent);
}
