using System.IO.Compression;
using System.Security.Cryptography;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Checkpoints;

namespace Kmm.Preflight.Oci.FileSystem;

/// <content>
/// The random-access section (version 2): a flag, then the section's length, its bytes and their SHA-256. Inside:
/// the compression, the state format, each entry's file SHA-256 (in entry order), and the checkpoints with their decoder states
/// deflated (an ISA-L state is ~55–87 KB raw, about a third of that deflated). A section that does not check out is
/// dropped, and the layer's files are then read by streaming: it never makes the index itself unreadable.
/// </content>
internal static partial class LayerIndexSerializer
{
    private const int DigestLength = 32;
    private const int MaxStateBytes = 1 << 20;

    private static void WriteRandomAccess(BinaryWriter writer, LayerIndex index)
    {
        if (index.RandomAccess is not { } randomAccess)
        {
            writer.Write(false);
            return;
        }

        using var section = new MemoryStream();
        using (var body = new BinaryWriter(section, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            body.Write((byte)randomAccess.Compression);
            body.Write(randomAccess.StateFormat is not null);
            if (randomAccess.StateFormat is not null)
            {
                body.Write(randomAccess.StateFormat);
            }

            foreach (var entry in index.Entries)
            {
                var digest = entry.Sha256 is { Length: DigestLength } ? entry.Sha256 : null;
                body.Write(digest is not null);
                if (digest is not null)
                {
                    body.Write(digest);
                }
            }

            body.Write(randomAccess.Checkpoints.Count);
            foreach (var checkpoint in randomAccess.Checkpoints)
            {
                body.Write(checkpoint.CompressedOffset);
                body.Write(checkpoint.UncompressedOffset);
                var state = checkpoint.State is null ? null : Deflate(checkpoint.State);
                body.Write(checkpoint.State?.Length ?? -1);
                if (state is not null)
                {
                    body.Write(state.Length);
                    body.Write(state);
                }
            }
        }

        var bytes = section.ToArray();
        writer.Write(true);
        writer.Write(bytes.Length);
        writer.Write(bytes);
        writer.Write(SHA256.HashData(bytes));
    }

    /// <summary>The section's checkpoints (file digests set on <paramref name="entries"/>), or null when absent or damaged.</summary>
    private static LayerRandomAccess? ReadRandomAccess(BinaryReader reader, List<LayerIndexEntry> entries)
    {
        if (!reader.ReadBoolean())
        {
            return null;
        }

        var length = reader.ReadInt32();
        if (length < 0)
        {
            return null;
        }

        var bytes = reader.ReadBytes(length);
        var checksum = reader.ReadBytes(DigestLength);
        if (bytes.Length != length || checksum.Length != DigestLength)
        {
            // Cut short: a torn write, so the whole file is a miss (the caller's catch).
            throw new EndOfStreamException("The index file ends inside its random-access section.");
        }

        if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(checksum))
        {
            return null;
        }

        try
        {
            using var body = new BinaryReader(new MemoryStream(bytes, writable: false));
            var compression = (LayerCompression)body.ReadByte();
            if (compression is not (LayerCompression.Gzip or LayerCompression.Zstd))
            {
                return null;
            }

            var format = body.ReadBoolean() ? body.ReadString() : null;
            var digests = new byte[]?[entries.Count];
            for (var i = 0; i < entries.Count; i++)
            {
                digests[i] = body.ReadBoolean() ? body.ReadBytes(DigestLength) : null;
            }

            var count = body.ReadInt32();
            if (count < 0 || count > length)
            {
                return null;
            }

            var checkpoints = new List<DecoderCheckpoint>(count);
            for (var i = 0; i < count; i++)
            {
                var compressed = body.ReadInt64();
                var uncompressed = body.ReadInt64();
                var stateLength = body.ReadInt32();
                byte[]? state = null;
                if (stateLength >= 0)
                {
                    var deflatedLength = body.ReadInt32();
                    if (stateLength > MaxStateBytes || deflatedLength < 0 || deflatedLength > length)
                    {
                        return null;
                    }

                    state = Inflate(body.ReadBytes(deflatedLength), stateLength);
                    if (state is null)
                    {
                        return null;
                    }
                }

                var previous = checkpoints.Count > 0 ? checkpoints[^1] : null;
                if (compressed < 0 || uncompressed < 0 || (previous is not null && (compressed <= previous.CompressedOffset || uncompressed <= previous.UncompressedOffset)))
                {
                    return null;
                }

                checkpoints.Add(new DecoderCheckpoint(compressed, uncompressed, state));
            }

            for (var i = 0; i < entries.Count; i++)
            {
                if (digests[i] is { } digest)
                {
                    entries[i] = entries[i] with { Sha256 = digest };
                }
            }

            return new LayerRandomAccess(compression, format, checkpoints);
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or InvalidDataException or System.Text.DecoderFallbackException)
        {
            return null;
        }
    }

    private static byte[] Deflate(byte[] state)
    {
        using var output = new MemoryStream(state.Length / 2);
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(state);
        }

        return output.ToArray();
    }

    private static byte[]? Inflate(byte[] deflated, int length)
    {
        using var inflate = new DeflateStream(new MemoryStream(deflated, writable: false), CompressionMode.Decompress);
        var state = new byte[length];
        return inflate.ReadAtLeast(state, length, throwOnEndOfStream: false) == length && inflate.ReadByte() < 0 ? state : null;
    }
}
