using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>A layer stored as a byte range of a local file: a layout blob (the whole file) or an archive member.</summary>
internal sealed class FileRangeLayer : IRangeLayer
{
    private readonly FileRange _range;
    private readonly string _blobName;

    public FileRangeLayer(Descriptor descriptor, FileRange range, string blobName)
    {
        Descriptor = descriptor;
        _range = range;
        _blobName = blobName;
    }

    public Descriptor Descriptor { get; }

    public Task<Stream> OpenAsync(long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        if (offset > _range.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{_blobName}: offset is past the blob's end ({_range.Length} bytes).");
        }

        Stream stream = BoundedFileStream.Open(_range.Path, _range.Start + offset, _range.Length - offset);
        if (offset == 0)
        {
            stream = new DigestVerifyingStream(stream, Descriptor.Digest, Descriptor.Size, _blobName);
        }

        return Task.FromResult(stream);
    }

    public Task<Stream?> OpenRangeAsync(long start, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        cancellationToken.ThrowIfCancellationRequested();
        if (start + length > _range.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"{_blobName}: bytes {start}..{start + length} are not inside the blob ({_range.Length} bytes).");
        }

        return Task.FromResult<Stream?>(BoundedFileStream.Open(_range.Path, _range.Start + start, length));
    }
}
