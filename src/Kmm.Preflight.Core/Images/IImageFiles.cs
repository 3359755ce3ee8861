using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Core.Images;

/// <summary>
/// The final (merged) filesystem of one image, as the Image stage needs it. The real implementation wraps
/// <see cref="ImageFileSystem"/>; tests and library users may supply their own.
/// </summary>
public interface IImageFiles
{
    /// <summary>The image as named (for messages).</summary>
    string Name { get; }

    /// <summary>The platform manifest's digest (<c>sha256:…</c>), or null when unknown.</summary>
    string? Digest { get; }

    /// <summary>Compressed layer bytes read so far for this image (0 when served from the cache).</summary>
    long CompressedBytesRead { get; }

    /// <summary>
    /// How layers of this image were read, by layer digest, where that is worth telling: read from a table of contents
    /// (eStargz, zstd:chunked), or streamed although they have one and why (the registry ignored <c>Range</c>, the TOC
    /// failed verification). Empty by default.
    /// </summary>
    IReadOnlyDictionary<string, string> LayerReads => new Dictionary<string, string>();

    /// <summary>The entry at <paramref name="path"/>, or null (also when its symbolic links loop).</summary>
    Task<FileSystemEntry?> GetEntryAsync(string path, bool followSymlinks = true, CancellationToken cancellationToken = default);

    /// <summary>Entries under <paramref name="directory"/> (recursively) matching <paramref name="match"/>; empty when the directory does not exist.</summary>
    Task<IReadOnlyList<FileSystemEntry>> FindAsync(string directory, Func<FileSystemEntry, bool> match, CancellationToken cancellationToken = default);

    /// <summary>A regular file's bytes.</summary>
    /// <exception cref="FileNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    /// <exception cref="SymlinkLoopException">The symbolic links on the way to <paramref name="path"/> loop.</exception>
    /// <exception cref="InvalidDataException">Not a regular file, or larger than <paramref name="maxBytes"/>.</exception>
    Task<byte[]> ReadAllBytesAsync(string path, long maxBytes, CancellationToken cancellationToken = default);
}
