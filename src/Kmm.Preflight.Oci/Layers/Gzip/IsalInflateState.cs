using System.Runtime.InteropServices;

namespace Kmm.Preflight.Oci.Layers.Gzip;

/// <summary>An ISA-L <c>struct inflate_state</c> in native memory, freed when the handle is released.</summary>
internal sealed unsafe partial class IsalInflateState : SafeHandle
{
    private readonly IsalLibrary.IsalFunctions _functions;

    public IsalInflateState()
        : this(IsalLibrary.Functions)
    {
    }

    /// <summary>A state over <paramref name="functions"/> (the load-time self-test passes them before they are published).</summary>
    public IsalInflateState(IsalLibrary.IsalFunctions functions)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _functions = functions;
        var state = NativeMemory.AlignedAlloc(IsalLayout.AllocationSize, 64);
        NativeMemory.Clear(state, IsalLayout.AllocationSize);
        SetHandle((nint)state);
        _functions.Init(handle);
        Field<int>(IsalLayout.CrcFlag) = IsalLayout.GzipWrapper;
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Whether the current member has been inflated and its trailer checked.</summary>
    public bool MemberFinished => Field<int>(IsalLayout.BlockState) == IsalLayout.BlockFinish;

    /// <summary>The CRC-32 of the current member's output so far.</summary>
    public uint Crc => Field<uint>(IsalLayout.Crc);

    /// <summary>Prepares for the next gzip member of a multi-member stream.</summary>
    public void Reset()
    {
        _functions.Reset(handle);
        Field<int>(IsalLayout.CrcFlag) = IsalLayout.GzipWrapper;
    }

    /// <summary>
    /// Inflates from <paramref name="input"/> into <paramref name="output"/>; returns ISA-L's result code and how many
    /// bytes were consumed and produced. The buffers must stay pinned for the call only: ISA-L keeps what it needs
    /// (history, a partial header) in the state.
    /// </summary>
    public int Inflate(byte* input, int inputLength, byte* output, int outputLength, out int consumed, out int produced)
    {
        Field<nint>(IsalLayout.NextIn) = (nint)input;
        Field<uint>(IsalLayout.AvailIn) = (uint)inputLength;
        Field<nint>(IsalLayout.NextOut) = (nint)output;
        Field<uint>(IsalLayout.AvailOut) = (uint)outputLength;
        var result = _functions.Inflate(handle);
        consumed = inputLength - (int)Field<uint>(IsalLayout.AvailIn);
        produced = outputLength - (int)Field<uint>(IsalLayout.AvailOut);
        return result;
    }

    protected override bool ReleaseHandle()
    {
        NativeMemory.AlignedFree((void*)handle);
        return true;
    }

    private ref T Field<T>(int offset)
        where T : unmanaged => ref *(T*)(handle + offset);
}
