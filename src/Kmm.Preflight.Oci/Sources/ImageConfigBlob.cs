using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>
/// An image's config blob, read when it is first asked for. A registry image's config is a request of its own, and
/// finding and reading the image's files needs only its manifest, so resolving a registry image does not read it (as
/// go-containerregistry's remote images do not); sources that hold it anyway (a layout, an archive, an image written
/// here) hand it over already read.
/// </summary>
/// <remarks>
/// Read once: every caller, and every copy of the image made with <c>with</c>, shares the result. A read that fails is
/// not remembered, so the next caller tries again and sees its own error. A caller's cancellation stops its wait, not
/// the read others may be waiting for (the registry client's timeouts bound that).
/// </remarks>
public sealed class ImageConfigBlob
{
    private readonly Func<CancellationToken, Task<byte[]>>? _read;
    private readonly string _sourceName;
    private readonly Lock _lock = new();
    private Task<(ReadOnlyMemory<byte> Bytes, ImageConfig Config)>? _result;

    /// <summary>A config blob already read: <paramref name="bytes"/>, exactly as stored (parsed now).</summary>
    /// <param name="bytes">The blob's bytes.</param>
    /// <param name="sourceName">Where the bytes come from, for messages.</param>
    /// <exception cref="InvalidDataException">The bytes are not a config (not a JSON object, too large).</exception>
    public ImageConfigBlob(ReadOnlyMemory<byte> bytes, string sourceName = "config")
        : this(bytes, ManifestParser.ParseConfig(bytes.Span, sourceName), sourceName)
    {
    }

    /// <summary>A config blob that <paramref name="read"/> fetches when it is first asked for.</summary>
    /// <param name="read">Reads the blob's bytes, verified against its descriptor (as the registry client's blob reads are).</param>
    /// <param name="sourceName">Where the blob comes from, for messages.</param>
    public ImageConfigBlob(Func<CancellationToken, Task<byte[]>> read, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(sourceName);
        _read = read;
        _sourceName = sourceName;
    }

    internal ImageConfigBlob(ReadOnlyMemory<byte> bytes, ImageConfig config, string sourceName)
    {
        _sourceName = sourceName;
        _result = Task.FromResult((bytes, config));
    }

    /// <summary>Whether the blob has been read (so <see cref="ReadAsync"/> does no I/O).</summary>
    public bool IsRead => _result is { IsCompletedSuccessfully: true };

    /// <summary>The config, parsed: read from the source first if it was not yet.</summary>
    /// <exception cref="InvalidDataException">The blob is malformed, too large, or does not match its digest.</exception>
    /// <exception cref="Registry.RegistryException">The registry cannot be reached or refuses access.</exception>
    public async Task<ImageConfig> ReadAsync(CancellationToken cancellationToken = default)
        => (await Result().WaitAsync(cancellationToken).ConfigureAwait(false)).Config;

    /// <summary>
    /// The blob's bytes exactly as stored (their digest is the manifest's config descriptor's), so an image can be
    /// copied or extended without losing fields this library does not model: read from the source first if need be.
    /// </summary>
    /// <exception cref="InvalidDataException">The blob is malformed, too large, or does not match its digest.</exception>
    /// <exception cref="Registry.RegistryException">The registry cannot be reached or refuses access.</exception>
    public async Task<ReadOnlyMemory<byte>> ReadBytesAsync(CancellationToken cancellationToken = default)
        => (await Result().WaitAsync(cancellationToken).ConfigureAwait(false)).Bytes;

    private Task<(ReadOnlyMemory<byte> Bytes, ImageConfig Config)> Result()
    {
        lock (_lock)
        {
            if (_result is null || _result.IsFaulted || _result.IsCanceled)
            {
                _result = ReadAndParseAsync();
            }

            return _result;
        }
    }

    private async Task<(ReadOnlyMemory<byte> Bytes, ImageConfig Config)> ReadAndParseAsync()
    {
        // Not the first caller's token: others may wait for the same read (see remarks).
        var bytes = await _read!(CancellationToken.None).ConfigureAwait(false);
        return (bytes, ManifestParser.ParseConfig(bytes, _sourceName));
    }
}
