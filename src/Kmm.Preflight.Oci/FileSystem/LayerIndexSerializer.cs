using System.Text;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// A compact binary form of a <see cref="LayerIndex"/> for the on-disk cache: a magic, a version, the digest, then
/// the entries; from version 2, a random-access section (see <c>LayerIndexSerializer.RandomAccess.cs</c>). Anything
/// unexpected reads as a cache miss, never as wrong data.
/// </summary>
internal static partial class LayerIndexSerializer
{
    private const string Magic = "KMMLIDX";
    // 2: a random-access section (checkpoints, file digests) after the entries.
    // 3: files also carry an integrity trailer (LayerIndexFile) and are written only for digest-verified scans.
    // 4: a table-of-contents section after the random-access one (indexes made from a verified TOC are kept too).
    private const int Version = 4;

    public static void Write(Stream stream, LayerIndex index)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(index.Digest.ToString());
        writer.Write(index.UncompressedSize);
        writer.Write(index.Entries.Count);
        foreach (var entry in index.Entries)
        {
            writer.Write(entry.Path);
            writer.Write((byte)entry.Kind);
            writer.Write(entry.Size);
            writer.Write(entry.LinkTarget is not null);
            if (entry.LinkTarget is not null)
            {
                writer.Write(entry.LinkTarget);
            }

            writer.Write(entry.Mode);
            writer.Write(entry.DataOffset);
            writer.Write(entry.Content?.Length ?? -1);
            if (entry.Content is not null)
            {
                writer.Write(entry.Content);
            }
        }

        WriteRandomAccess(writer, index);
        WriteToc(writer, index);
    }

    /// <summary>
    /// The index stored in <paramref name="stream"/>, or null when it is not a valid index of <paramref name="digest"/>:
    /// made from the table of contents with digest <paramref name="toc"/> when that is given, from a digest-verified
    /// read of the blob when it is null.
    /// </summary>
    public static LayerIndex? TryRead(Stream stream, Digest digest, Digest? toc = null)
    {
        try
        {
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (reader.ReadString() != Magic)
            {
                return null;
            }

            var version = reader.ReadInt32();
            if (version != Version || reader.ReadString() != digest.ToString())
            {
                return null;
            }

            var uncompressedSize = reader.ReadInt64();
            var count = reader.ReadInt32();
            if (count < 0)
            {
                return null;
            }

            var entries = new List<LayerIndexEntry>(Math.Min(count, 1 << 20));
            for (var i = 0; i < count; i++)
            {
                var path = reader.ReadString();
                var kind = (LayerEntryKind)reader.ReadByte();
                if (!Enum.IsDefined(kind))
                {
                    return null;
                }

                var size = reader.ReadInt64();
                var link = reader.ReadBoolean() ? reader.ReadString() : null;
                var mode = reader.ReadInt32();
                var offset = reader.ReadInt64();
                var contentLength = reader.ReadInt32();
                byte[]? content = null;
                if (contentLength >= 0)
                {
                    content = reader.ReadBytes(contentLength);
                    if (content.Length != contentLength)
                    {
                        return null;
                    }
                }

                entries.Add(new LayerIndexEntry(path, kind, size, link, mode, offset) { Content = content });
            }

            var randomAccess = ReadRandomAccess(reader, entries);
            var (valid, tableOfContents) = ReadToc(reader);
            if (!valid || tableOfContents?.TocDigest != toc)
            {
                return null;
            }

            // Only indexes of digest-verified reads, or of TOCs verified against their announced digest, are written.
            return new LayerIndex(digest, entries, uncompressedSize) { RandomAccess = randomAccess, DigestVerified = tableOfContents is null, Toc = tableOfContents };
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or FormatException or DecoderFallbackException)
        {
            return null;
        }
    }
}
