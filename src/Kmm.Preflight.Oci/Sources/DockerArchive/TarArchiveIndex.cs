using System.Formats.Tar;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Sources.Layout;

namespace Kmm.Preflight.Oci.Sources.DockerArchive;

/// <summary>
/// Where each member of an outer tar archive (a <c>docker save</c> file) lies, read once by walking the headers
/// and seeking over the data, so members are served later as byte ranges without extracting anything.
/// </summary>
internal sealed class TarArchiveIndex
{
    // docker save archives have a handful of members per layer; far more means a hostile or wrong file.
    private const int MaxMembers = 1_000_000;
    private const int MaxLinkHops = 40;

    private readonly Dictionary<string, Member> _members;

    private TarArchiveIndex(string path, Dictionary<string, Member> members)
    {
        Path = path;
        _members = members;
    }

    /// <summary>The archive file.</summary>
    public string Path { get; }

    /// <summary>The normalised member names.</summary>
    public IEnumerable<string> Names => _members.Keys;

    /// <summary>Indexes the archive at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable tar archive.</exception>
    public static async Task<TarArchiveIndex> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var members = new Dictionary<string, Member>(StringComparer.Ordinal);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
        try
        {
            await using var reader = new TarReader(file, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (members.Count >= MaxMembers)
                {
                    throw new InvalidDataException($"{path}: more than {MaxMembers} archive members; not an image archive.");
                }

                var name = LayerPath.Normalise(entry.Name);
                if (name.Length == 0)
                {
                    continue;
                }

                var kind = entry.EntryType switch
                {
                    TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => MemberKind.File,
                    TarEntryType.SymbolicLink => MemberKind.Symlink,
                    TarEntryType.HardLink => MemberKind.Hardlink,
                    _ => MemberKind.Other,
                };
                var start = kind == MemberKind.File ? entry.DataOffset : 0;
                members[name] = new Member(kind, start, kind == MemberKind.File ? entry.Length : 0, entry.LinkName);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: not a valid tar archive ({e.Message}).", e);
        }

        return new TarArchiveIndex(path, members);
    }

    /// <summary>Whether a member of that name exists.</summary>
    public bool Contains(string name) => _members.ContainsKey(LayerPath.Normalise(name));

    /// <summary>The byte range of regular-file member <paramref name="name"/> (links followed), or null.</summary>
    /// <exception cref="InvalidDataException">The name is a link loop or names something other than a file.</exception>
    public FileRange? Find(string name)
    {
        var current = LayerPath.Normalise(name);
        for (var hop = 0; hop <= MaxLinkHops; hop++)
        {
            if (!_members.TryGetValue(current, out var member))
            {
                return null;
            }

            switch (member.Kind)
            {
                case MemberKind.File:
                    return new FileRange(Path, member.Start, member.Length);
                case MemberKind.Symlink:
                    // Docker 25+ writes legacy "<id>/layer.tar" entries as symlinks to "../blobs/sha256/<hex>".
                    var directory = current.Contains('/', StringComparison.Ordinal) ? current[..current.LastIndexOf('/')] : string.Empty;
                    current = member.LinkName.StartsWith('/') ? LayerPath.Normalise(member.LinkName) : LayerPath.Normalise(Combine(directory, member.LinkName));
                    break;
                case MemberKind.Hardlink:
                    current = LayerPath.Normalise(member.LinkName);
                    break;
                default:
                    throw new InvalidDataException($"{Path}: member '{current}' is not a regular file.");
            }
        }

        throw new InvalidDataException($"{Path}: member '{name}' is a chain of more than {MaxLinkHops} links.");
    }

    private static string Combine(string directory, string relative) => directory.Length == 0 ? relative : $"{directory}/{relative}";

    private enum MemberKind
    {
        File,
        Symlink,
        Hardlink,
        Other,
    }

    private sealed record Member(MemberKind Kind, long Start, long Length, string LinkName);
}
