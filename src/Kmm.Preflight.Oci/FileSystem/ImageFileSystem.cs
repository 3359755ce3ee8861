using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// The final filesystem of an image, all layers merged as a container runtime merges them, answered by streaming
/// layers (top first, stopping as soon as the answer is decided) without extracting them.
/// </summary>
public sealed class ImageFileSystem
{
    /// <summary>Creates a view over <paramref name="image"/>.</summary>
    public ImageFileSystem(ResolvedImage image, ImageFileSystemOptions? options = null)
    {
        Image = image ?? throw new ArgumentNullException(nameof(image));
        Options = options ?? new ImageFileSystemOptions();
    }

    /// <summary>The image.</summary>
    public ResolvedImage Image { get; }

    /// <summary>The options.</summary>
    public ImageFileSystemOptions Options { get; }

    /// <summary>The entry at <paramref name="path"/>, or null when nothing is there.</summary>
    /// <param name="path">Absolute or relative path; symlinks in parent components are always resolved.</param>
    /// <param name="followSymlinks">Whether a symlink as the last component is followed.</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    public Task<FileSystemEntry?> GetEntryAsync(string path, bool followSymlinks = true, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>The entries under directory <paramref name="path"/>, sorted by path; a file path lists itself.</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    public Task<IReadOnlyList<FileSystemEntry>> ListAsync(string path, bool recursive = false, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Entries under <paramref name="directory"/> (recursively, not through symlinked directories) matching <paramref name="match"/>.</summary>
    public Task<IReadOnlyList<FileSystemEntry>> FindAsync(string directory, Func<FileSystemEntry, bool> match, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Reads a regular file's bytes (symlinks followed).</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The path is not a regular file, or it is larger than <paramref name="maxBytes"/>.</exception>
    public Task<byte[]> ReadAllBytesAsync(string path, long maxBytes = 64 * 1024 * 1024, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();
}
