using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>The <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c> files of an OCI layout directory.</summary>
internal sealed class DirectoryBlobStore : IBlobStore
{
    private readonly string _root;

    public DirectoryBlobStore(string root, string name)
    {
        _root = root;
        Name = name;
    }

    public string Name { get; }

    public async Task<byte[]> ReadBlobAsync(Descriptor descriptor, int maxBytes, CancellationToken cancellationToken)
    {
        var path = BlobPath(descriptor.Digest);
        DigestVerifier.CheckSize(descriptor, maxBytes, path);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{Name}: blob {descriptor.Digest} is missing: '{path}' does not exist.");
        }

        var length = new FileInfo(path).Length;
        if (length != descriptor.Size)
        {
            throw new InvalidDataException($"{path}: blob {descriptor.Digest} has {length} bytes, but its descriptor states {descriptor.Size}.");
        }

        var content = await File.ReadAllBytesAsync(path, cancellationToken);
        DigestVerifier.Verify(content, descriptor, path);
        return content;
    }

    public ILayer OpenLayer(Descriptor descriptor)
    {
        var path = BlobPath(descriptor.Digest);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new InvalidDataException($"{Name}: layer blob {descriptor.Digest} is missing: '{path}' does not exist.");
        }

        // The whole file is served, so a file longer or shorter than the descriptor says fails verification.
        return new FileRangeLayer(descriptor, new FileRange(path, 0, file.Length), path);
    }

    // Digest is validated on parse (algorithm and lowercase hex only), so the path cannot leave blobs/.
    private string BlobPath(Digest digest) => System.IO.Path.Combine(_root, "blobs", digest.Algorithm, digest.Hex);
}
