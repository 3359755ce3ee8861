using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Core.Images;

/// <summary><see cref="IImageFiles"/> over the OCI library's <see cref="ImageFileSystem"/>.</summary>
internal sealed class ImageFileSystemFiles : IImageFiles, IProgress<LayerScanProgress>
{
    private readonly IProgress<LayerScanProgress>? _forward;
    private readonly Dictionary<string, long> _bytesByLayer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _reads = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ImageFileSystemFiles(string name, IProgress<LayerScanProgress>? forward)
    {
        Name = name;
        _forward = forward;
    }

    public ImageFileSystem? FileSystem { get; set; }

    public string Name { get; }

    public string? Digest => FileSystem?.Image.Digest.ToString();

    public long CompressedBytesRead
    {
        get
        {
            lock (_gate)
            {
                return _bytesByLayer.Values.Sum();
            }
        }
    }

    public IReadOnlyDictionary<string, string> LayerReads
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_reads, StringComparer.Ordinal);
            }
        }
    }

    private ImageFileSystem Fs => FileSystem ?? throw new InvalidOperationException("the image is not open");

    public void Report(LayerScanProgress value)
    {
        lock (_gate)
        {
            var key = value.Layer.ToString();
            _bytesByLayer[key] = Math.Max(_bytesByLayer.GetValueOrDefault(key), value.CompressedBytesRead);
            if (value.Note is not null)
            {
                _reads[key] = value.Note;
            }
        }

        _forward?.Report(value);
    }

    public async Task<FileSystemEntry?> GetEntryAsync(string path, bool followSymlinks = true, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Fs.GetEntryAsync(path, followSymlinks, cancellationToken);
        }
        catch (SymlinkLoopException)
        {
            // For the checks a path that cannot be resolved is as absent as it is for modprobe.
            return null;
        }
    }

    public async Task<IReadOnlyList<FileSystemEntry>> FindAsync(string directory, Func<FileSystemEntry, bool> match, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Fs.FindAsync(directory, match, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or SymlinkLoopException)
        {
            return [];
        }
    }

    public Task<byte[]> ReadAllBytesAsync(string path, long maxBytes, CancellationToken cancellationToken = default)
        => Fs.ReadAllBytesAsync(path, maxBytes, cancellationToken);
}
