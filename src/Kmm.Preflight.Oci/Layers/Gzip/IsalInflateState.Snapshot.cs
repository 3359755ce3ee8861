using System.Runtime.InteropServices;

namespace Kmm.Preflight.Oci.Layers.Gzip;

/// <content>
/// Snapshots of the whole decoder state, for resuming a gzip stream mid-way. Between two <c>isal_inflate</c> calls
/// ISA-L keeps everything it needs in the struct: the bit buffer (<c>read_in</c>), the current block's Huffman tables,
/// a partial header, the running CRC-32 and the last 32 KiB of output (the history, in <c>tmp_out_buffer</c>), so a
/// copy of the struct taken then resumes at any point, not only at deflate block boundaries.
/// </content>
internal sealed unsafe partial class IsalInflateState
{
    /// <summary>The state as bytes: the fixed part and the valid part of <c>tmp_out_buffer</c> (the rest is scratch).</summary>
    public byte[] Snapshot()
    {
        var valid = Math.Clamp(Field<int>(IsalLayout.TmpOutValid), 0, IsalLayout.TmpOutCapacity);
        var snapshot = new byte[IsalLayout.TmpOutBuffer + valid];
        new ReadOnlySpan<byte>((void*)handle, snapshot.Length).CopyTo(snapshot);

        // The stream pointers point into buffers that will be gone; they are set again before every call.
        MemoryMarshal.Write(snapshot.AsSpan(IsalLayout.NextOut), 0L);
        MemoryMarshal.Write(snapshot.AsSpan(IsalLayout.NextIn), 0L);
        return snapshot;
    }

    /// <summary>
    /// Puts back a state taken by <see cref="Snapshot"/>; false (state untouched) when it is not one: wrong size or
    /// fields out of their ranges. A snapshot is only ever restored from an index whose checksum matched, and whatever
    /// it decodes is checked against the file's SHA-256, so a bad one costs a fallback, never wrong bytes.
    /// </summary>
    public bool Restore(ReadOnlySpan<byte> snapshot)
    {
        if (snapshot.Length < IsalLayout.TmpOutBuffer || snapshot.Length > IsalLayout.StateSize)
        {
            return false;
        }

        var valid = Int(snapshot, IsalLayout.TmpOutValid);
        var processed = Int(snapshot, IsalLayout.TmpOutProcessed);
        var blockState = Int(snapshot, IsalLayout.BlockState);
        var tmpIn = MemoryMarshal.Read<short>(snapshot[IsalLayout.TmpInSize..]);
        if (valid != snapshot.Length - IsalLayout.TmpOutBuffer
            || processed < 0 || processed > valid
            || Int(snapshot, IsalLayout.ReadInLength) is < 0 or > 64
            || blockState is < 0 or > 16
            || tmpIn < 0 || tmpIn > IsalLayout.TmpInCapacity
            || Int(snapshot, IsalLayout.HistBits) is < 0 or > 15
            || Int(snapshot, IsalLayout.CrcFlag) != IsalLayout.GzipWrapper)
        {
            return false;
        }

        NativeMemory.Clear((void*)handle, IsalLayout.AllocationSize);
        snapshot.CopyTo(new Span<byte>((void*)handle, snapshot.Length));
        return true;
    }

    private static int Int(ReadOnlySpan<byte> snapshot, int offset) => MemoryMarshal.Read<int>(snapshot[offset..]);
}
