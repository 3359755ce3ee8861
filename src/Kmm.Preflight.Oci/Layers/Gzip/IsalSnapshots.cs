namespace Kmm.Preflight.Oci.Layers.Gzip;

/// <summary>
/// Whether ISA-L's decoder state can be snapshot and resumed in this process (see <see cref="IsalInflateState.Snapshot"/>):
/// checked once by inflating a known member in two halves, the second half from a snapshot restored into a fresh
/// state, and comparing the output and the trailer check. A newer ISA-L whose struct differs fails here and gzip
/// layers get no checkpoints (they are then read by streaming, as before).
/// </summary>
internal static unsafe class IsalSnapshots
{
    /// <summary>Names the snapshot format in stored checkpoints: a different layout never restores an old snapshot.</summary>
    public const string Format = "isal-inflate-state-87368";

    private static readonly Lazy<bool> Usable = new(SelfTest);

    /// <summary>Whether ISA-L is in use and its snapshots resume correctly.</summary>
    public static bool IsAvailable => IsalLibrary.IsAvailable && Usable.Value;

    private static bool SelfTest()
    {
        if (!IsalLibrary.IsLoaded)
        {
            return false;
        }

        var member = IsalLibrary.SelfTestMemberBytes();
        var expected = IsalLibrary.SelfTestContentBytes();
        var output = new byte[expected.Length + 64];
        using var first = new IsalInflateState();
        fixed (byte* input = member)
        fixed (byte* outputPointer = output)
        {
            // Stop mid-stream: half of the input, a little output room, so the snapshot holds a mid-block state.
            var half = member.Length / 2;
            var result = first.Inflate(input, half, outputPointer, 3000, out var consumed, out var produced);
            if (result != 0 || first.MemberFinished)
            {
                return false;
            }

            var snapshot = first.Snapshot();
            using var second = new IsalInflateState();
            if (!second.Restore(snapshot))
            {
                return false;
            }

            result = second.Inflate(input + consumed, member.Length - consumed, outputPointer + produced, output.Length - produced, out var consumed2, out var produced2);
            return result == 0
                && second.MemberFinished
                && consumed + consumed2 == member.Length
                && produced + produced2 == expected.Length
                && output.AsSpan(0, expected.Length).SequenceEqual(expected);
        }
    }
}
