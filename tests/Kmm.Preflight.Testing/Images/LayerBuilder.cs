using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Writing;

namespace Kmm.Preflight.Testing.Images;

/// <summary>
/// Builds a layer tar entry by entry (files, directories, links, whiteouts, odd names) and compresses it into a blob
/// in memory or streamed to a file. Layers the library's <see cref="LayerWriter"/> can write (plain names, parents
/// first, one gzip member or zstd frame) are written by it; this class writes only the odd cases itself. Paths are image paths (<c>opt/lib/x</c> or <c>/opt/lib/x</c>); the
/// <see cref="TarNameStyle"/> decides how they are spelled, and <see cref="AddRaw"/> writes a name exactly as given.
/// </summary>
/// <example>
/// <code>
/// var layer = new LayerBuilder()
///     .AddDirectory("opt/lib/modules/6.1.0-56-amd64")
///     .AddFile("opt/lib/modules/6.1.0-56-amd64/extra/dummy.ko", File.ReadAllBytes(path))
///     .AddWhiteout("opt/old.ko")
///     .Build(LayerCompression.Zstd);
/// </code>
/// </example>
public sealed class LayerBuilder
{
    /// <summary>The mode of files unless given: 0644.</summary>
    public const UnixFileMode DefaultFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The mode of directories unless given: 0755.</summary>
    public const UnixFileMode DefaultDirectoryMode = DefaultFileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The prefix of a whiteout entry.</summary>
    public const string WhiteoutPrefix = ".wh.";

    /// <summary>The name of an opaque-directory whiteout entry.</summary>
    public const string OpaqueWhiteoutName = ".wh..wh..opq";

    private static readonly DateTimeOffset FixedTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<LayerEntry> _entries = [];
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private TarEntryFormat _format = TarEntryFormat.Pax;
    private TarNameStyle _nameStyle = TarNameStyle.Plain;
    private bool _parentDirectories;

    /// <summary>The number of entries added.</summary>
    public int Count => _entries.Count;

    /// <summary>Writes entries in <paramref name="format"/> (PAX writes long names as extended headers, GNU as <c>././@LongLink</c>).</summary>
    /// <value>Default <see cref="TarEntryFormat.Pax"/>.</value>
    public LayerBuilder WithFormat(TarEntryFormat format)
    {
        _format = format;
        return this;
    }

    /// <summary>Spells the names of entries added from now on in <paramref name="style"/>.</summary>
    public LayerBuilder WithNameStyle(TarNameStyle style)
    {
        _nameStyle = style;
        return this;
    }

    /// <summary>From now on, adds an entry for each parent directory not yet in the layer before an entry (as GNU tar does).</summary>
    public LayerBuilder WithParentDirectories(bool enabled = true)
    {
        _parentDirectories = enabled;
        return this;
    }

    /// <summary>Adds a regular file.</summary>
    public LayerBuilder AddFile(string path, byte[] content, UnixFileMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        return Add(TarEntryType.RegularFile, path, mode ?? DefaultFileMode, e => e with { Content = content });
    }

    /// <summary>Adds a regular file holding <paramref name="text"/> in UTF-8.</summary>
    public LayerBuilder AddFile(string path, string text, UnixFileMode? mode = null) => AddFile(path, Encoding.UTF8.GetBytes(text), mode);

    /// <summary>Adds a regular file whose content is streamed from <paramref name="sourceFile"/> when the layer is written.</summary>
    public LayerBuilder AddFileFrom(string path, string sourceFile, UnixFileMode? mode = null)
        => Add(TarEntryType.RegularFile, path, mode ?? DefaultFileMode, e => e with { SourceFile = sourceFile });

    /// <summary>Adds a directory.</summary>
    public LayerBuilder AddDirectory(string path, UnixFileMode? mode = null) => Add(TarEntryType.Directory, path, mode ?? DefaultDirectoryMode, e => e);

    /// <summary>Adds a symbolic link at <paramref name="path"/> pointing to <paramref name="target"/> (stored as given).</summary>
    public LayerBuilder AddSymlink(string path, string target)
        => Add(TarEntryType.SymbolicLink, path, DefaultDirectoryMode | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite, e => e with { LinkName = target });

    /// <summary>Adds a hard link at <paramref name="path"/> to the entry <paramref name="target"/> of this layer (spelled in the current name style).</summary>
    public LayerBuilder AddHardlink(string path, string target)
        => Add(TarEntryType.HardLink, path, DefaultFileMode, e => e with { LinkName = Spell(target, isDirectory: false) });

    /// <summary>Adds the whiteout <c>.wh.NAME</c> that deletes <paramref name="path"/> from lower layers.</summary>
    public LayerBuilder AddWhiteout(string path)
    {
        var (parent, name) = Split(path);
        return AddFile(Join(parent, WhiteoutPrefix + name), []);
    }

    /// <summary>Adds <c>.wh..wh..opq</c> in <paramref name="directory"/>, hiding all lower-layer children of it.</summary>
    public LayerBuilder AddOpaqueWhiteout(string directory) => AddFile(Join(Normalise(directory), OpaqueWhiteoutName), []);

    /// <summary>Adds an entry whose tar name is exactly <paramref name="rawName"/> (no style, no parents).</summary>
    public LayerBuilder AddRaw(TarEntryType type, string rawName, byte[]? content = null, string? linkName = null, UnixFileMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(rawName);
        _entries.Add(new LayerEntry(type, rawName, mode ?? (type == TarEntryType.Directory ? DefaultDirectoryMode : DefaultFileMode))
        {
            Content = content,
            LinkName = linkName,
        });
        return this;
    }

    /// <summary>
    /// Adds the tree under <paramref name="sourceDirectory"/> (directories, files streamed at write time, symlinks)
    /// at <paramref name="targetDirectory"/>, in sorted order.
    /// </summary>
    public LayerBuilder AddTree(string targetDirectory, string sourceDirectory)
    {
        var target = Normalise(targetDirectory);
        if (target.Length > 0 && !_directories.Contains(target))
        {
            AddDirectory(target);
        }

        AddTreeContents(target, new DirectoryInfo(sourceDirectory));
        return this;
    }

    /// <summary>The uncompressed tar.</summary>
    public byte[] ToTar()
    {
        using var buffer = new MemoryStream();
        WriteTarAsync(buffer).GetAwaiter().GetResult();
        return buffer.ToArray();
    }

    /// <summary>Writes the uncompressed tar to <paramref name="destination"/> (left open).</summary>
    public async Task WriteTarAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        if (LibraryWritable)
        {
            await using var layer = LayerWriter.CreateInMemory(new LayerWriterOptions { Compression = LayerWriterCompression.None, ModificationTime = FixedTime });
            using var written = await WriteEntriesAsync(layer, cancellationToken);
            await using var tar = await written.OpenAsync(0, cancellationToken);
            await tar.CopyToAsync(destination, cancellationToken);
            return;
        }

        await using var writer = new TarWriter(destination, _format, leaveOpen: true);
        foreach (var entry in _entries)
        {
            var tarEntry = CreateEntry(entry);
            Stream? data = entry.Content is not null ? new MemoryStream(entry.Content, writable: false)
                : entry.SourceFile is not null ? File.OpenRead(entry.SourceFile)
                : null;
            await using (data)
            {
                if (data is not null)
                {
                    tarEntry.DataStream = data;
                }

                await writer.WriteEntryAsync(tarEntry, cancellationToken);
            }
        }
    }

    /// <summary>Builds the blob in memory with <paramref name="compression"/>.</summary>
    public LayerBlob Build(LayerCompression compression = LayerCompression.Gzip) => Build(new LayerBlobOptions { Compression = compression });

    /// <summary>Builds the blob in memory.</summary>
    public LayerBlob Build(LayerBlobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var buffer = new MemoryStream();
        var (digest, size, diffId, uncompressed) = WriteBlobAsync(buffer, options, CancellationToken.None).GetAwaiter().GetResult();
        return new LayerBlob(options.Compression, digest, size, diffId, uncompressed, buffer.ToArray(), null);
    }

    /// <summary>Streams the blob to the file <paramref name="path"/> (for layers too large for memory).</summary>
    public async Task<LayerBlob> WriteToFileAsync(string path, LayerBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LayerBlobOptions();
        (Digest Digest, long Size, Digest DiffId, long Uncompressed) result;
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
        {
            result = await WriteBlobAsync(file, options, cancellationToken);
        }

        return new LayerBlob(options.Compression, result.Digest, result.Size, result.DiffId, result.Uncompressed, null, path);
    }

    private async Task<(Digest Digest, long Size, Digest DiffId, long Uncompressed)> WriteBlobAsync(Stream destination, LayerBlobOptions options, CancellationToken cancellationToken)
    {
        if (LibraryWritable && options is { FrameSize: 0, LeadingSkippableFrame: false })
        {
            // What the library can write, it writes: the test builder keeps only the odd cases (name styles, raw and
            // duplicate entries, missing parents, GNU/ustar/V7 formats, framed or prefixed compression).
            var compression = options.Compression switch
            {
                LayerCompression.Gzip => LayerWriterCompression.Gzip,
                LayerCompression.Zstd => LayerWriterCompression.Zstd,
                _ => LayerWriterCompression.None,
            };
            await using var layer = LayerWriter.CreateTemporaryFile(new LayerWriterOptions { Compression = compression, Level = options.Level, ModificationTime = FixedTime });
            using var written = await WriteEntriesAsync(layer, cancellationToken);
            await using (var blob = await written.OpenAsync(0, cancellationToken))
            {
                await blob.CopyToAsync(destination, cancellationToken);
            }

            return (written.Descriptor.Digest, written.Descriptor.Size, written.DiffId, written.UncompressedSize);
        }

        using var compressed = new HashingWriteStream(destination, leaveOpen: true);
        if (options.LeadingSkippableFrame && options.Compression == LayerCompression.Zstd)
        {
            // Skippable frame: magic 0x184D2A50 (little-endian), 4-byte length, payload.
            byte[] frame = [0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, (byte)'k', (byte)'m', (byte)'m', (byte)'!'];
            await compressed.WriteAsync(frame, cancellationToken);
        }

        using var uncompressed = new HashingWriteStream(CreateCompressor(compressed, options), leaveOpen: false);
        await WriteTarAsync(uncompressed, cancellationToken);
        var diffId = uncompressed.Digest;
        var uncompressedSize = uncompressed.BytesWritten;
        await uncompressed.DisposeAsync();
        return (compressed.Digest, compressed.BytesWritten, diffId, uncompressedSize);
    }

    /// <summary>
    /// Whether <see cref="LayerWriter"/> writes exactly these entries: PAX format, plain names, each entry's parents
    /// earlier as directories (the library adds missing ones, which would change the entry list), no duplicates,
    /// hard links to earlier files.
    /// </summary>
    private bool LibraryWritable
    {
        get
        {
            if (_format != TarEntryFormat.Pax)
            {
                return false;
            }

            var seen = new Dictionary<string, TarEntryType>(StringComparer.Ordinal);
            foreach (var entry in _entries)
            {
                var name = entry.Name.TrimEnd('/');
                if (!entry.IsPlain || name.Length == 0 || seen.ContainsKey(name)
                    || entry.Type is not (TarEntryType.RegularFile or TarEntryType.Directory or TarEntryType.SymbolicLink or TarEntryType.HardLink)
                    || entry.Type == TarEntryType.HardLink && seen.GetValueOrDefault(entry.LinkName ?? string.Empty) != TarEntryType.RegularFile)
                {
                    return false;
                }

                for (var slash = name.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = name.IndexOf('/', slash + 1))
                {
                    if (seen.GetValueOrDefault(name[..slash]) != TarEntryType.Directory)
                    {
                        return false;
                    }
                }

                seen[name] = entry.Type;
            }

            return true;
        }
    }

    private async Task<WrittenLayer> WriteEntriesAsync(LayerWriter layer, CancellationToken cancellationToken)
    {
        foreach (var entry in _entries)
        {
            var name = entry.Name.TrimEnd('/');
            var metadata = new LayerEntryMetadata { Mode = entry.Mode };
            switch (entry.Type)
            {
                case TarEntryType.Directory:
                    await layer.AddDirectoryAsync(name, metadata, cancellationToken);
                    break;
                case TarEntryType.SymbolicLink:
                    await layer.AddSymlinkAsync(name, entry.LinkName!, metadata, cancellationToken);
                    break;
                case TarEntryType.HardLink:
                    await layer.AddHardLinkAsync(name, entry.LinkName!, metadata, cancellationToken);
                    break;
                case TarEntryType.RegularFile when entry.SourceFile is not null:
                    await using (var source = File.OpenRead(entry.SourceFile))
                    {
                        await layer.AddFileAsync(name, source, source.Length, metadata, cancellationToken);
                    }

                    break;
                default:
                    await layer.AddFileAsync(name, entry.Content ?? [], metadata, cancellationToken);
                    break;
            }
        }

        return await layer.CompleteAsync(cancellationToken);
    }

    private static Stream CreateCompressor(Stream compressed, LayerBlobOptions options) => options.Compression switch
    {
        LayerCompression.None => new HashingWriteStream(compressed, leaveOpen: true),
        _ when options.FrameSize > 0 => new ChunkedCompressionStream(compressed, options.Compression, options.FrameSize, options.Level),
        LayerCompression.Gzip => new GZipStream(compressed, options.Level, leaveOpen: true),
        LayerCompression.Zstd => new ZstdSharp.CompressionStream(compressed, ZstdLevel.From(options.Level), leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Compression, "Unknown compression."),
    };

    private TarEntry CreateEntry(LayerEntry entry)
    {
        TarEntry tarEntry = _format switch
        {
            TarEntryFormat.Gnu => new GnuTarEntry(entry.Type, entry.Name),
            TarEntryFormat.Ustar => new UstarTarEntry(entry.Type, entry.Name),
            TarEntryFormat.V7 => new V7TarEntry(entry.Type == TarEntryType.RegularFile ? TarEntryType.V7RegularFile : entry.Type, entry.Name),
            _ => new PaxTarEntry(entry.Type, entry.Name),
        };
        tarEntry.Mode = entry.Mode;
        tarEntry.ModificationTime = FixedTime;
        tarEntry.Uid = 0;
        tarEntry.Gid = 0;
        if (entry.LinkName is not null)
        {
            tarEntry.LinkName = entry.LinkName;
        }

        return tarEntry;
    }

    private LayerBuilder Add(TarEntryType type, string path, UnixFileMode mode, Func<LayerEntry, LayerEntry> complete)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalised = Normalise(path);
        if (normalised.Length == 0)
        {
            throw new ArgumentException("The image root itself cannot be added; use AddRaw for a '.' or '/' entry.", nameof(path));
        }

        if (_parentDirectories)
        {
            AddParents(normalised);
        }

        if (type == TarEntryType.Directory)
        {
            _directories.Add(normalised);
        }

        _entries.Add(complete(new LayerEntry(type, Spell(normalised, type == TarEntryType.Directory), mode) { IsPlain = _nameStyle == TarNameStyle.Plain }));
        return this;
    }

    private void AddParents(string normalised)
    {
        var slash = -1;
        while ((slash = normalised.IndexOf('/', slash + 1)) > 0)
        {
            var parent = normalised[..slash];
            if (_directories.Add(parent))
            {
                _entries.Add(new LayerEntry(TarEntryType.Directory, Spell(parent, isDirectory: true), DefaultDirectoryMode) { IsPlain = _nameStyle == TarNameStyle.Plain });
            }
        }
    }

    private void AddTreeContents(string target, DirectoryInfo source)
    {
        foreach (var info in source.EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            var path = Join(target, info.Name);
            if (info.LinkTarget is { } linkTarget)
            {
                AddSymlink(path, linkTarget);
            }
            else if (info is DirectoryInfo directory)
            {
                AddDirectory(path);
                AddTreeContents(path, directory);
            }
            else
            {
                AddFileFrom(path, info.FullName);
            }
        }
    }

    private string Spell(string normalised, bool isDirectory)
    {
        var name = _nameStyle switch
        {
            TarNameStyle.DotSlash => "./" + normalised,
            TarNameStyle.Slash => "/" + normalised,
            _ => normalised,
        };
        return isDirectory ? name + "/" : name;
    }

    private static string Normalise(string path) => string.Join('/', path.Split('/').Where(p => p.Length > 0 && p != "."));

    private static (string Parent, string Name) Split(string path)
    {
        var normalised = Normalise(path);
        var slash = normalised.LastIndexOf('/');
        return slash < 0 ? (string.Empty, normalised) : (normalised[..slash], normalised[(slash + 1)..]);
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}/{name}";
}
