using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem;

/// <content>
/// The table-of-contents section (version 4): a flag, then the format, the TOC digest the index was verified against,
/// and each regular file's compressed range and content digest, in the order index entries name them.
/// </content>
internal static partial class LayerIndexSerializer
{
    private const int MaxTocFiles = 1 << 22;

    private static void WriteToc(BinaryWriter writer, LayerIndex index)
    {
        if (index.Toc is not { } toc)
        {
            writer.Write(false);
            return;
        }

        writer.Write(true);
        writer.Write((byte)toc.Format);
        writer.Write(toc.TocDigest.ToString());
        writer.Write(toc.Files.Count);
        foreach (var file in toc.Files)
        {
            writer.Write(file.Path);
            writer.Write(file.Start);
            writer.Write(file.End);
            writer.Write(file.Skip);
            writer.Write(file.Size);
            writer.Write(file.Digest is not null);
            if (file.Digest is { } digest)
            {
                writer.Write(digest.ToDigest().ToString());
            }
        }
    }

    /// <summary>The TOC section; <c>Valid</c> is false when it is malformed (the whole index then reads as a miss).</summary>
    private static (bool Valid, TableOfContents? Toc) ReadToc(BinaryReader reader)
    {
        if (!reader.ReadBoolean())
        {
            return (true, null);
        }

        var format = (TocFormat)reader.ReadByte();
        if (!Enum.IsDefined(format) || !Digest.TryParse(reader.ReadString(), out var tocDigest))
        {
            return (false, null);
        }

        var count = reader.ReadInt32();
        if (count is < 0 or > MaxTocFiles)
        {
            return (false, null);
        }

        var files = new List<TocFileRange>(count);
        for (var i = 0; i < count; i++)
        {
            var path = reader.ReadString();
            var (start, end, skip, size) = (reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
            Sha256Hash? digest = null;
            if (reader.ReadBoolean())
            {
                if (!Digest.TryParse(reader.ReadString(), out var parsed) || parsed.Algorithm != "sha256")
                {
                    return (false, null);
                }

                digest = Sha256Hash.FromDigest(parsed);
            }

            if (start < 0 || end < start || skip < 0 || size < 0)
            {
                return (false, null);
            }

            files.Add(new TocFileRange(path, start, end, skip, size, digest));
        }

        // Nothing of the blob was read in this run to list it.
        return (true, new TableOfContents(format, files, bytesRead: 0, tocDigest));
    }
}
