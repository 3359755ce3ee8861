using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources.Layout;

namespace Kmm.Preflight.Oci.Sources.DockerArchive;

/// <summary>The <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c> members of an OCI layout packed in a tar archive (Docker 25+ <c>docker save</c>).</summary>
internal sealed class ArchiveBlobStore : IBlobStore
{
    private readonly TarArchiveIndex _archive;

    public ArchiveBlobStore(TarArchiveIndex archive, string name)
    {
        _archive = archive;
        Name = name;
    }

    public string Name { get; }

    public async Task<byte[]> ReadBlobAsync(Descriptor descriptor, int maxBytes, CancellationToken cancellationToken)
    {
        var member = MemberName(descriptor);
        var blobName = $"{_archive.Path}: {member}";
        DigestVerifier.CheckSize(descriptor, maxBytes, blobName);
        var range = _archive.Find(member)
            ?? throw new InvalidDataException($"{Name}: blob {descriptor.Digest} is missing: the archive has no member '{member}'.");
        var content = await ReadRangeAsync(range, maxBytes, blobName, cancellationToken);
        DigestVerifier.Verify(content, descriptor, blobName);
        return content;
    }

    public ILayer OpenLayer(Descriptor descriptor)
    {
        var member = MemberName(descriptor);
        var range = _archive.Find(member)
            ?? throw new InvalidDataException($"{Name}: layer blob {descriptor.Digest} is missing: the archive has no member '{member}'.");
        return new FileRangeLayer(descriptor, range, $"{_archive.Path}: {member}");
    }

    /// <summary>Reads a whole member of at most <paramref name="maxBytes"/> bytes.</summary>
    public static async Task<byte[]> ReadRangeAsync(FileRange range, int maxBytes, string blobName, CancellationToken cancellationToken)
    {
        if (range.Length > maxBytes)
        {
            throw new InvalidDataException($"{blobName}: {range.Length} bytes, more than the {maxBytes}-byte limit.");
        }

        var content = new byte[range.Length];
        await using var stream = BoundedFileStream.Open(range.Path, range.Start, range.Length);
        await stream.ReadExactlyAsync(content, cancellationToken);
        return content;
    }

    private static string MemberName(Descriptor descriptor) => $"blobs/{descriptor.Digest.Algorithm}/{descriptor.Digest.Hex}";
}
