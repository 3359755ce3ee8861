using System.Formats.Tar;
using System.Text;

namespace Kmm.Preflight.Oci.Tests.FileSystem.Support;

/// <summary>Builds tar bytes with System.Formats.Tar, entries in the order added.</summary>
internal sealed class TarBuilder
{
    private readonly List<TarEntry> _entries = [];
    private readonly TarEntryFormat _format;

    public TarBuilder(TarEntryFormat format = TarEntryFormat.Pax)
    {
        _format = format;
    }

    public TarBuilder Directory(string name) => Add(TarEntryType.Directory, name);

    public TarBuilder File(string name, string content) => File(name, Encoding.UTF8.GetBytes(content));

    public TarBuilder File(string name, byte[] content)
    {
        var entry = Create(TarEntryType.RegularFile, name);
        entry.DataStream = new MemoryStream(content);
        _entries.Add(entry);
        return this;
    }

    public TarBuilder Symlink(string name, string target)
    {
        var entry = Create(TarEntryType.SymbolicLink, name);
        entry.LinkName = target;
        _entries.Add(entry);
        return this;
    }

    public TarBuilder Hardlink(string name, string target)
    {
        var entry = Create(TarEntryType.HardLink, name);
        entry.LinkName = target;
        _entries.Add(entry);
        return this;
    }

    public TarBuilder Fifo(string name) => Add(TarEntryType.Fifo, name);

    /// <summary>A <c>.wh.</c> whiteout deleting <paramref name="path"/> from lower layers.</summary>
    public TarBuilder Whiteout(string path)
    {
        var slash = path.LastIndexOf('/');
        var name = slash < 0 ? ".wh." + path : path[..(slash + 1)] + ".wh." + path[(slash + 1)..];
        return File(name, []);
    }

    /// <summary>A <c>.wh..wh..opq</c> marker hiding lower children of <paramref name="directory"/>.</summary>
    public TarBuilder Opaque(string directory) => File(directory.TrimEnd('/') + "/.wh..wh..opq", []);

    public byte[] Build()
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, _format, leaveOpen: true))
        {
            foreach (var entry in _entries)
            {
                entry.DataStream?.Seek(0, SeekOrigin.Begin);
                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    private TarBuilder Add(TarEntryType type, string name)
    {
        _entries.Add(Create(type, name));
        return this;
    }

    private TarEntry Create(TarEntryType type, string name)
    {
        TarEntry entry = _format switch
        {
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            TarEntryFormat.V7 => new V7TarEntry(type == TarEntryType.RegularFile ? TarEntryType.V7RegularFile : type, name),
            _ => new PaxTarEntry(type, name),
        };
        entry.Mode = type == TarEntryType.Directory ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute : UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return entry;
    }
}
