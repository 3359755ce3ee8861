namespace Kmm.Preflight.Oci.Layers.Gzip;

/// <summary>
/// Where the fields we touch sit in ISA-L's <c>struct inflate_state</c> (igzip_lib.h of libisal.so.2, x86-64 and
/// arm64 alike: pointers are 8 bytes). The caller allocates the state, so there is no accessor API; the layout is
/// checked at load time by inflating a known stream (<see cref="IsalLibrary"/>), and ISA-L is not used when it differs.
/// </summary>
internal static class IsalLayout
{
    /// <summary>Bytes allocated for the state: sizeof(struct inflate_state) is 87,368 in ISA-L 2.30; the slack keeps a
    /// larger future struct inside our allocation while the self-test rejects it.</summary>
    public const int AllocationSize = 256 * 1024;

    public const int NextOut = 0;
    public const int AvailOut = 8;
    public const int NextIn = 16;
    public const int AvailIn = 32;
    public const int ReadInLength = 36;
    public const int BlockState = 21160;
    public const int CrcFlag = 21172;
    public const int Crc = 21176;
    public const int HistBits = 21180;
    public const int TmpInSize = 21206;
    public const int TmpOutValid = 21208;
    public const int TmpOutProcessed = 21212;

    /// <summary>Where <c>tmp_out_buffer</c> (the history and not yet copied output) starts: the end of the state's fixed part.</summary>
    public const int TmpOutBuffer = 21544;

    /// <summary><c>sizeof(struct inflate_state)</c> in ISA-L 2.30: <see cref="TmpOutBuffer"/> + 2 × 32 KiB + 288 look-ahead.</summary>
    public const int StateSize = 87368;

    /// <summary><c>sizeof(tmp_in_buffer)</c> (<c>ISAL_DEF_MAX_HDR_SIZE</c>).</summary>
    public const int TmpInCapacity = 328;

    /// <summary>Bytes of <c>tmp_out_buffer</c> that can hold data (2 × 32 KiB + look-ahead).</summary>
    public const int TmpOutCapacity = StateSize - TmpOutBuffer;

    /// <summary><c>ISAL_BLOCK_FINISH</c>: the member, trailer included, is done.</summary>
    public const int BlockFinish = 5;

    /// <summary><c>ISAL_GZIP</c>: parse the gzip header and check the CRC-32 and size in the trailer.</summary>
    public const int GzipWrapper = 1;
}
