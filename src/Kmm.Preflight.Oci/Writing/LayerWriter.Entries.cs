namespace Kmm.Preflight.Oci.Writing;

/// <content>Adding entries: files, directories, links, whiteouts; parents first.</content>
public sealed partial class LayerWriter
{
    private const UnixFileMode DefaultFileMode = (UnixFileMode)0x1A4; // 0644
    private const UnixFileMode DefaultDirectoryMode = (UnixFileMode)0x1ED; // 0755
    private const UnixFileMode DefaultSymlinkMode = (UnixFileMode)0x1FF; // 0777

    /// <summary>Adds a regular file holding <paramref name="content"/>.</summary>
    /// <exception cref="ArgumentException">The path is invalid, already in the layer, or under a non-directory entry.</exception>
    /// <exception cref="InvalidOperationException">The layer is complete, or an earlier write failed.</exception>
    /// <exception cref="IOException">Writing the destination failed.</exception>
    public Task AddFileAsync(string path, ReadOnlyMemory<byte> content, LayerEntryMetadata? metadata = null, CancellationToken cancellationToken = default)
    {
        var name = Claim(path, TarHeaderWriter.RegularFile, metadata);
        return WriteAsync(name, TarHeaderWriter.RegularFile, null, content.Length, ModeBits(metadata?.Mode, DefaultFileMode), metadata, async () =>
        {
            await _tar.WriteAsync(content, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Adds a regular file of <paramref name="length"/> bytes streamed from <paramref name="content"/> (read to its end, not disposed).</summary>
    /// <exception cref="ArgumentException">The path is invalid, already in the layer, or under a non-directory entry.</exception>
    /// <exception cref="InvalidDataException"><paramref name="content"/> holds fewer or more than <paramref name="length"/> bytes; the layer is then unusable.</exception>
    /// <exception cref="InvalidOperationException">The layer is complete, or an earlier write failed.</exception>
    /// <exception cref="IOException">Reading the content or writing the destination failed.</exception>
    public Task AddFileAsync(string path, Stream content, long length, LayerEntryMetadata? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var name = Claim(path, TarHeaderWriter.RegularFile, metadata);
        return WriteAsync(name, TarHeaderWriter.RegularFile, null, length, ModeBits(metadata?.Mode, DefaultFileMode), metadata,
            () => CopyExactlyAsync(content, _tar, length, name, cancellationToken), cancellationToken);
    }

    /// <summary>Adds a directory (needed only for its own metadata: missing parents are added with defaults).</summary>
    /// <exception cref="ArgumentException">The path is invalid, already in the layer (add a directory before its children), or under a non-directory entry.</exception>
    /// <exception cref="InvalidOperationException">The layer is complete, or an earlier write failed.</exception>
    /// <exception cref="IOException">Writing the destination failed.</exception>
    public Task AddDirectoryAsync(string path, LayerEntryMetadata? metadata = null, CancellationToken cancellationToken = default)
    {
        var name = Claim(path, TarHeaderWriter.Directory, metadata);
        return WriteAsync(name + "/", TarHeaderWriter.Directory, null, 0, ModeBits(metadata?.Mode, DefaultDirectoryMode), metadata, null, cancellationToken);
    }

    /// <summary>Adds a symbolic link at <paramref name="path"/> to <paramref name="target"/>, stored as given (relative or absolute).</summary>
    /// <exception cref="ArgumentException">The path is invalid, already in the layer, or under a non-directory entry; the target is empty.</exception>
    /// <exception cref="InvalidOperationException">The layer is complete, or an earlier write failed.</exception>
    /// <exception cref="IOException">Writing the destination failed.</exception>
    public Task AddSymlinkAsync(string path, string target, LayerEntryMetadata? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        var name = Claim(path, TarHeaderWriter.SymbolicLink, metadata);
        return WriteAsync(name, TarHeaderWriter.SymbolicLink, target, 0, ModeBits(metadata?.Mode, DefaultSymlinkMode), metadata, null, cancellationToken);
    }

    /// <summary>Adds a hard link at <paramref name="path"/> to the regular file <paramref name="target"/> added earlier to this layer.</summary>
    /// <exception cref="ArgumentException">Either path is invalid; the target is not a regular file of this layer; the path is already in the layer.</exception>
    /// <exception cref="InvalidOperationException">The layer is complete, or an earlier write failed.</exception>
    /// <exception cref="IOException">Writing the destination failed.</exception>
    public Task AddHardLinkAsync(string path, string target, LayerEntryMetadata? metadata = null, CancellationToken cancellationToken = default)
    {
        var targetName = LayerEntryPath.Normalise(target, nameof(target));
        if (!_entries.TryGetValue(targetName, out var type) || type != TarHeaderWriter.RegularFile)
        {
            // Runtimes resolve hard links within the layer only.
            throw new ArgumentException($"hard link target '{target}' is not a regular file added earlier to this layer.", nameof(target));
        }

        var name = Claim(path, TarHeaderWriter.HardLink, metadata);
        return WriteAsync(name, TarHeaderWriter.HardLink, targetName, 0, ModeBits(metadata?.Mode, DefaultFileMode), metadata, null, cancellationToken);
    }

    /// <summary>Adds the whiteout <c>.wh.NAME</c> that deletes <paramref name="path"/> (and what is under it) from the layers below.</summary>
    /// <exception cref="ArgumentException">The path is invalid or its whiteout is already in the layer.</exception>
    /// <exception cref="InvalidOperationException">The layer is complete, or an earlier write failed.</exception>
    /// <exception cref="IOException">Writing the destination failed.</exception>
    public Task AddWhiteoutAsync(string path, CancellationToken cancellationToken = default)
    {
        var normalised = LayerEntryPath.Normalise(path, nameof(path));
        var slash = normalised.LastIndexOf('/');
        var whiteout = slash < 0 ? ".wh." + normalised : $"{normalised[..(slash + 1)]}.wh.{normalised[(slash + 1)..]}";
        return AddFileAsync(whiteout, ReadOnlyMemory<byte>.Empty, null, cancellationToken);
    }

    // Validates and records the entry before anything is written, so a refused call leaves the layer usable.
    private string Claim(string path, byte type, LayerEntryMetadata? metadata)
    {
        EnsureWritable();
        if (metadata is { Uid: < 0 } or { Gid: < 0 })
        {
            throw new ArgumentException($"'{path}': uid and gid must not be negative.", nameof(metadata));
        }

        var name = LayerEntryPath.Normalise(path, nameof(path));
        if (_entries.ContainsKey(name))
        {
            throw new ArgumentException($"'{name}' is already in the layer (directories given explicitly must be added before their contents).", nameof(path));
        }

        foreach (var parent in LayerEntryPath.Parents(name))
        {
            if (_entries.TryGetValue(parent, out var parentType) && parentType != TarHeaderWriter.Directory)
            {
                throw new ArgumentException($"'{name}' is under '{parent}', which this layer holds as a non-directory.", nameof(path));
            }
        }

        _pendingParents.Clear();
        _pendingParents.AddRange(LayerEntryPath.Parents(name).Where(p => !_entries.ContainsKey(p)));
        foreach (var parent in _pendingParents)
        {
            _entries[parent] = TarHeaderWriter.Directory;
        }

        _entries[name] = type;
        return name;
    }

    private async Task WriteAsync(
        string name, byte type, string? linkName, long size, int mode, LayerEntryMetadata? metadata, Func<Task>? writeData, CancellationToken cancellationToken)
    {
        try
        {
            var defaultTime = UnixSeconds(_options.ModificationTime);
            foreach (var parent in _pendingParents.ToList())
            {
                await WriteHeaderAsync(parent + "/", TarHeaderWriter.Directory, null, 0, (int)DefaultDirectoryMode, 0, 0, defaultTime, cancellationToken);
            }

            var mtime = metadata?.ModificationTime is { } time ? UnixSeconds(time) : defaultTime;
            await WriteHeaderAsync(name, type, linkName, size, mode, metadata?.Uid ?? 0, metadata?.Gid ?? 0, mtime, cancellationToken);
            if (writeData is not null)
            {
                await writeData();
                await _tar.WriteAsync(new byte[TarHeaderWriter.Padding(size)], cancellationToken);
            }
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    private async Task WriteHeaderAsync(string name, byte type, string? linkName, long size, int mode, long uid, long gid, long mtime, CancellationToken cancellationToken)
    {
        _header.SetLength(0);
        TarHeaderWriter.Write(_header, type, name, linkName, size, mode, uid, gid, mtime);
        await _tar.WriteAsync(_header.GetBuffer().AsMemory(0, (int)_header.Length), cancellationToken);
    }
}
