using System.Diagnostics.CodeAnalysis;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// The final filesystem of an image, all layers merged as a container runtime merges them, answered by streaming
/// layers (top first, stopping as soon as the answer is decided) without extracting them.
/// </summary>
/// <remarks>
/// Point queries (<see cref="GetEntryAsync"/>, <see cref="ReadAllBytesAsync"/>) index layers from the top down and
/// never read a layer below the one that decides the answer. Listings (<see cref="ListAsync"/>,
/// <see cref="FindAsync"/>) need every layer and index them in parallel (at most
/// <see cref="ImageFileSystemOptions.MaxParallelLayers"/> at once). Layer indexes are cached by digest in
/// <see cref="ImageFileSystemOptions.Cache"/>. Layers with a table of contents (eStargz, zstd:chunked) whose source
/// reads ranges are listed from it once it matches the digest their descriptor gives, and their files are read by
/// range and checked against the TOC's file digests; otherwise (or when the TOC fails verification, or the registry
/// ignores <c>Range</c>) they are streamed, and <see cref="LayerScanProgress.Note"/> says why. Instances are thread-safe.
/// </remarks>
[SuppressMessage("Design", "CA1001", Justification = "The semaphores never allocate a wait handle (only WaitAsync is used), so there is nothing to dispose.")]
public sealed partial class ImageFileSystem
{
    /// <summary>Creates a view over <paramref name="image"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid (every problem listed).</exception>
    public ImageFileSystem(ResolvedImage image, ImageFileSystemOptions? options = null)
    {
        Image = image ?? throw new ArgumentNullException(nameof(image));
        Options = options ?? new ImageFileSystemOptions();
        var problems = new List<string>();
        if (Options.MaxParallelLayers is < 1 or > 64)
        {
            problems.Add($"MaxParallelLayers must be between 1 and 64 (got {Options.MaxParallelLayers})");
        }

        if (Options.Limits is null)
        {
            problems.Add("Limits must not be null");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"invalid image file system options: {string.Join("; ", problems)}", nameof(options));
        }

        _cache = Options.Cache ?? new LayerIndexCache();
        _trees = _cache.TreesOf(image);
        _scanGate = new SemaphoreSlim(Options.MaxParallelLayers);
    }

    /// <summary>The image.</summary>
    public ResolvedImage Image { get; }

    /// <summary>The options.</summary>
    public ImageFileSystemOptions Options { get; }

    /// <summary>The entry at <paramref name="path"/>, or null when nothing is there.</summary>
    /// <param name="path">Absolute or relative path; symlinks in parent components are always resolved.</param>
    /// <param name="followSymlinks">Whether a symlink as the last component is followed.</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <returns>The entry, or null when the path does not exist.</returns>
    /// <exception cref="SymlinkLoopException">Resolving the path follows more than 40 symbolic links (they loop).</exception>
    /// <exception cref="InvalidDataException">A layer that had to be read is malformed or fails verification.</exception>
    /// <exception cref="Layers.UnsupportedLayerException">A layer that had to be read is foreign or of an unknown media type.</exception>
    public async Task<FileSystemEntry?> GetEntryAsync(string path, bool followSymlinks = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var lookup = await LookupAsync(path, followSymlinks, cancellationToken).ConfigureAwait(false);
        return lookup.Status == PathLookupStatus.NotFound ? null : ToEntry(RequireFound(lookup, path));
    }

    /// <summary>The entries under directory <paramref name="path"/>, sorted by path; a file path lists itself.</summary>
    /// <param name="path">The directory; symlinks in it, the last component included, are followed.</param>
    /// <param name="recursive">Whether to list the whole subtree (symlinks are listed, not descended, like <c>find</c>).</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="SymlinkLoopException">Resolving <paramref name="path"/> follows more than 40 symbolic links.</exception>
    public async Task<IReadOnlyList<FileSystemEntry>> ListAsync(string path, bool recursive = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var lookup = await LookupSubtreeAsync(path, recursive, cancellationToken).ConfigureAwait(false);
        var node = RequireFound(lookup, path);
        if (!node.IsDirectory)
        {
            return [ToEntry(node)];
        }

        var directory = LayerPath.ToAbsolute(node.RelativePath);
        var nodes = recursive ? MergedTree.DescendantsWithPaths(node, directory) : MergedTree.ChildrenWithPaths(node, directory);
        return Sorted(nodes.Select(n => ToEntry(n.Node, n.Path)));
    }

    /// <summary>Entries under <paramref name="directory"/> (recursively, not through symlinked directories) matching <paramref name="match"/>.</summary>
    /// <returns>The matches, sorted by path; empty when <paramref name="directory"/> does not exist.</returns>
    /// <exception cref="SymlinkLoopException">Resolving <paramref name="directory"/> follows more than 40 symbolic links.</exception>
    public async Task<IReadOnlyList<FileSystemEntry>> FindAsync(string directory, Func<FileSystemEntry, bool> match, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(match);
        var lookup = await LookupSubtreeAsync(directory, recursive: true, cancellationToken).ConfigureAwait(false);
        if (lookup.Status == PathLookupStatus.NotFound)
        {
            return [];
        }

        var node = RequireFound(lookup, directory);
        var entries = node.IsDirectory ? DescendantEntries(node) : [ToEntry(node)];
        return [.. entries.Where(match)];
    }

    /// <summary>Reads a regular file's bytes (symlinks followed, hard links resolved).</summary>
    /// <remarks>
    /// Content retained while indexing is returned directly. Otherwise, when the layer's index has decoder checkpoints
    /// (recorded when the cache has a directory), only the compressed range covering the file is fetched and its
    /// bytes are returned when they match the SHA-256 recorded during the verified scan; else the providing layer is
    /// streamed up to the file.
    /// </remarks>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="SymlinkLoopException">Resolving <paramref name="path"/> follows more than 40 symbolic links.</exception>
    /// <exception cref="InvalidDataException">The path is not a regular file, or it is larger than <paramref name="maxBytes"/>.</exception>
    public async Task<byte[]> ReadAllBytesAsync(string path, long maxBytes = 64 * 1024 * 1024, CancellationToken cancellationToken = default)
    {
        var (node, data) = await RequireFileAsync(path, cancellationToken).ConfigureAwait(false);
        if (data is null)
        {
            return [];
        }

        if (data.Size > maxBytes)
        {
            throw new InvalidDataException($"'{LayerPath.ToAbsolute(node.RelativePath)}' in {Image.Name} is {data.Size} bytes, more than the {maxBytes} allowed.");
        }

        return await RetainedContentAsync(node, data, cancellationToken).ConfigureAwait(false) is { } retained
            ? (byte[])retained.Clone()
            : await ReadLayerContentAsync(node, data, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a regular file's bytes (symlinks followed, hard links resolved) to <paramref name="destination"/>,
    /// streamed from the providing layer in bounded chunks: memory stays bounded whatever the file's size.
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    /// <remarks>
    /// Bytes are written as they are read, so when the layer turns out to be truncated or unreadable part of the file
    /// has already been written before the exception. As with <see cref="ReadAllBytesAsync"/>, the layer is read only
    /// up to the file, so its digest is not verified. When the layer's index has decoder checkpoints, a file of up to
    /// 64 MiB is instead read with one ranged request, held in memory until it matches the SHA-256 recorded during the
    /// verified scan, then written (on a mismatch it is streamed as above).
    /// </remarks>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="SymlinkLoopException">Resolving <paramref name="path"/> follows more than 40 symbolic links.</exception>
    /// <exception cref="InvalidDataException">The path is not a regular file, or its layer ends before its data.</exception>
    public async Task<long> CopyFileToAsync(string path, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var (node, data) = await RequireFileAsync(path, cancellationToken).ConfigureAwait(false);
        if (data is null)
        {
            return 0;
        }

        if (await RetainedContentAsync(node, data, cancellationToken).ConfigureAwait(false) is { } retained)
        {
            await destination.WriteAsync(retained, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await CopyLayerContentAsync(node, data, destination, cancellationToken).ConfigureAwait(false);
        }

        return data.Size;
    }

    private async Task<(MergedNode Node, LayerIndexEntry? Data)> RequireFileAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var lookup = await LookupAsync(path, followLast: true, cancellationToken).ConfigureAwait(false);
        var node = RequireFound(lookup, path);
        return node.Type == EntryType.File
            ? (node, node.DataEntry)
            : throw new InvalidDataException($"'{LayerPath.ToAbsolute(node.RelativePath)}' in {Image.Name} is a {node.Type}, not a regular file.");
    }

    // The file's bytes when indexing kept them, else from a verified ranged read when the layer has checkpoints (this
    // beats the next option), else, for a cached index made under another predicate, from one more pass that retains
    // every file this instance's predicate wants; null when the layer must be streamed again.
    private async Task<byte[]?> RetainedContentAsync(MergedNode node, LayerIndexEntry data, CancellationToken cancellationToken)
    {
        if (data.Content is not null)
        {
            return data.Content;
        }

        if (await TryRangedReadAsync(node, data, cancellationToken).ConfigureAwait(false) is { } verified)
        {
            return verified;
        }

        // A file of a table-of-contents layer is one ranged read away: no second pass over the layer to retain it.
        if (Options.RetainContent?.Invoke(LayerPath.ToAbsolute(data.Path), data.Size) == true
            && (await GetIndexAsync(node.DataLayer, cancellationToken).ConfigureAwait(false)).Toc is null)
        {
            var retained = await GetRetainedContentAsync(node.DataLayer, cancellationToken).ConfigureAwait(false);
            if (retained.TryGetValue(data.DataOffset, out var content))
            {
                return content;
            }
        }

        return null;
    }

    private MergedNode RequireFound(PathLookup lookup, string path) => lookup.Status switch
    {
        PathLookupStatus.Found => lookup.Node!,
        PathLookupStatus.SymlinkLoop => throw new SymlinkLoopException(
            $"{path}: too many levels of symbolic links in {Image.Name} (more than {MergedTree.MaxSymlinkHops} followed; they loop).", path),
        _ => throw new FileNotFoundException($"'{path}' does not exist in {Image.Name}.", path),
    };

    private FileSystemEntry ToEntry(MergedNode node) => ToEntry(node, LayerPath.ToAbsolute(node.RelativePath));

    private FileSystemEntry ToEntry(MergedNode node, string path) => new()
    {
        Path = path,
        Type = node.Type,
        Size = node.Type == EntryType.File ? node.DataEntry?.Size ?? 0 : 0,
        LinkTarget = node.Type == EntryType.Symlink ? node.Entry?.LinkTarget : null,
        Layer = Image.Layers.Count == 0 ? default : Image.Layers[node.Layer].Descriptor.Digest,
        LayerIndex = node.Layer,
    };

    private static List<FileSystemEntry> Sorted(IEnumerable<FileSystemEntry> entries)
    {
        var list = entries.ToList();
        list.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return list;
    }
}
