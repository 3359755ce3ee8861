using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Sources.Layout;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>
/// A layer made by <see cref="LayerWriter"/>: its blob (in memory or in a file), descriptor and diff ID. It is an
/// <see cref="ILayer"/>, so an image holding it can be read (<c>ImageFileSystem</c>), pushed or saved like any other.
/// </summary>
/// <remarks>Dispose it when done: a layer written to a temporary file deletes the file.</remarks>
public sealed class WrittenLayer : ILayer, IDisposable
{
    private readonly LayerStorage _storage;
    private bool _disposed;

    internal WrittenLayer(Descriptor descriptor, Digest diffId, long uncompressedSize, LayerStorage storage)
    {
        Descriptor = descriptor;
        DiffId = diffId;
        UncompressedSize = uncompressedSize;
        _storage = storage;
    }

    /// <summary>The blob's descriptor: OCI media type for its compression, digest and size of the stored bytes.</summary>
    public Descriptor Descriptor { get; }

    /// <summary>The digest of the uncompressed tar: the config's <c>rootfs.diff_ids</c> entry for this layer.</summary>
    public Digest DiffId { get; }

    /// <summary>The size of the uncompressed tar in bytes.</summary>
    public long UncompressedSize { get; }

    /// <summary>The file holding the blob, or null when it is in memory.</summary>
    public string? FilePath => _storage.FilePath;

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative or past the end.</exception>
    /// <exception cref="ObjectDisposedException">The layer was disposed.</exception>
    public Task<Stream> OpenAsync(long offset = 0, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Descriptor.Size);
        cancellationToken.ThrowIfCancellationRequested();
        var stream = _storage.OpenRead(offset);

        // Verified like every other source's layers: a temporary file changed behind our back is caught.
        return Task.FromResult(offset == 0 ? new DigestVerifyingStream(stream, Descriptor.Digest, Descriptor.Size, $"written layer {Descriptor.Digest}") : stream);
    }

    /// <summary>Releases the blob (deletes its temporary file).</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _storage.Dispose();
        }
    }
}
