using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Core.Tests.Fixtures;

/// <summary>An image's final filesystem held in memory, for unit tests of the Image stage rules.</summary>
internal sealed class InMemoryImage : IImageFiles
{
    private static readonly Digest LayerDigest = Kmm.Preflight.Oci.References.Digest.Sha256("layer"u8);
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _symlinks = new(StringComparer.Ordinal);

    public InMemoryImage(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public string? Digest => "sha256:" + new string('a', 64);

    public long CompressedBytesRead => 0;

    public List<string> Reads { get; } = [];

    public InMemoryImage File(string path, byte[] content)
    {
        _files["/" + path.TrimStart('/')] = content;
        return this;
    }

    public InMemoryImage Symlink(string path, string target)
    {
        _symlinks["/" + path.TrimStart('/')] = target;
        return this;
    }

    public Task<FileSystemEntry?> GetEntryAsync(string path, bool followSymlinks = true, CancellationToken cancellationToken = default)
        => Task.FromResult(Entry(Normalise(path), followSymlinks));

    public Task<IReadOnlyList<FileSystemEntry>> FindAsync(string directory, Func<FileSystemEntry, bool> match, CancellationToken cancellationToken = default)
    {
        var prefix = Normalise(directory).TrimEnd('/') + "/";
        IReadOnlyList<FileSystemEntry> found = [.. _files.Keys.Concat(_symlinks.Keys)
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => Entry(p, false)!)
            .Where(match)];
        return Task.FromResult(found);
    }

    public Task<byte[]> ReadAllBytesAsync(string path, long maxBytes, CancellationToken cancellationToken = default)
    {
        var entry = Entry(Normalise(path), true) ?? throw new FileNotFoundException($"{path} not found", path);
        if (entry.Type != EntryType.File)
        {
            throw new InvalidDataException($"{path} is not a regular file");
        }

        var content = _files[entry.Path];
        if (content.Length > maxBytes)
        {
            throw new InvalidDataException($"{path} is larger than {maxBytes} bytes");
        }

        Reads.Add(entry.Path);
        return Task.FromResult(content);
    }

    private FileSystemEntry? Entry(string path, bool follow)
    {
        if (_symlinks.TryGetValue(path, out var target))
        {
            if (!follow)
            {
                return new FileSystemEntry { Path = path, Type = EntryType.Symlink, LinkTarget = target, Layer = LayerDigest, LayerIndex = 0 };
            }

            var resolved = target.StartsWith('/') ? target : path[..(path.LastIndexOf('/') + 1)] + target;
            return Entry(Normalise(resolved), true);
        }

        if (_files.TryGetValue(path, out var content))
        {
            return new FileSystemEntry { Path = path, Type = EntryType.File, Size = content.Length, Layer = LayerDigest, LayerIndex = 0 };
        }

        var prefix = path.TrimEnd('/') + "/";
        return _files.Keys.Concat(_symlinks.Keys).Any(p => p.StartsWith(prefix, StringComparison.Ordinal))
            ? new FileSystemEntry { Path = path.TrimEnd('/'), Type = EntryType.Directory, Layer = LayerDigest, LayerIndex = 0 }
            : null;
    }

    private static string Normalise(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return "/" + string.Join('/', parts);
    }
}
