using System.Runtime.Intrinsics;

namespace Kmm.Preflight.Oci.Layers.Tar;

/// <summary>Sums of the bytes of a tar header block (512 bytes), as its checksum needs them.</summary>
internal static class ByteSum
{
    /// <summary>Longest span the vector accumulator cannot overflow on (16-bit lanes gain at most 510 per 16 bytes).</summary>
    private const int MaxLength = 16 * (ushort.MaxValue / 510);

    /// <summary>The sum of <paramref name="bytes"/> read as unsigned.</summary>
    public static long Unsigned(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes.Length, $"at most {MaxLength} bytes");
        }

        long total = 0;
        var i = 0;
        if (Vector128.IsHardwareAccelerated && bytes.Length >= Vector128<byte>.Count)
        {
            var sums = Vector128<ushort>.Zero;
            for (; i <= bytes.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var (low, high) = Vector128.Widen(Vector128.Create(bytes.Slice(i, Vector128<byte>.Count)));
                sums += low + high;
            }

            var (a, b) = Vector128.Widen(sums);
            total = Vector128.Sum(a + b);
        }

        for (; i < bytes.Length; i++)
        {
            total += bytes[i];
        }

        return total;
    }

    /// <summary>The sum of <paramref name="bytes"/> read as signed (as some old tar writers summed them).</summary>
    public static long Signed(ReadOnlySpan<byte> bytes)
    {
        // Each byte of 128 or more counts 256 less when signed.
        var high = 0;
        foreach (var value in bytes)
        {
            high += value >> 7;
        }

        return Unsigned(bytes) - (256L * high);
    }
}
