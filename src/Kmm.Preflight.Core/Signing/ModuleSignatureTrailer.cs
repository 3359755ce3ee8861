using System.Buffers.Binary;

namespace Kmm.Preflight.Core.Signing;

/// <summary>
/// The 12 bytes the kernel reads before the marker (<c>struct module_signature</c>): <c>algo, hash, id_type,
/// signer_len, key_id_len</c>, 3 pad bytes, big-endian <c>sig_len</c>; and where that puts the signature.
/// </summary>
/// <param name="Fields">The first 8 bytes, <c>algo</c> to the last pad byte.</param>
/// <param name="SignatureOffset">Where the signature starts, which is also the length of the signed content.</param>
/// <param name="SignatureLength">The signature's length (<c>sig_len</c>).</param>
internal readonly record struct ModuleSignatureTrailer(ulong Fields, int SignatureOffset, int SignatureLength)
{
    /// <summary>The trailer's length, without the marker.</summary>
    public const int Length = 12;

    /// <summary>The <c>id_type</c> of a CMS/PKCS#7 signature, the only one the kernel verifies.</summary>
    public const byte IdTypePkcs7 = 2;

    /// <summary>Trailer plus marker: what a signature adds after its own bytes.</summary>
    public const int SuffixLength = Length + 28;

    /// <summary>The marker at the very end of a signed module.</summary>
    public static ReadOnlySpan<byte> Marker => "~Module signature appended~\n"u8;

    /// <summary>The <c>id_type</c> byte.</summary>
    public byte IdType => (byte)(Fields >> 40);

    /// <summary>
    /// Why the kernel's <c>mod_check_sig</c> would refuse this trailer (an <c>id_type</c> other than PKCS#7, or a
    /// non-zero <c>algo</c>, <c>hash</c>, <c>signer_len</c>, <c>key_id_len</c> or pad byte), or null when it accepts it.
    /// </summary>
    public string? KernelProblem =>
        IdType != IdTypePkcs7 ? $"id_type is {IdType}, not 2 (PKCS#7)"
        : (Fields & ~(0xFFUL << 40)) != 0 ? $"algo, hash, signer_len, key_id_len and the pad bytes must be 0 for PKCS#7 (trailer bytes {Fields:X16})"
        : null;

    /// <summary>Whether <paramref name="module"/> ends with the marker.</summary>
    public static bool IsSigned(ReadOnlySpan<byte> module) => module.EndsWith(Marker);

    /// <summary>The trailer of <paramref name="module"/>, or null when it has no marker.</summary>
    /// <exception cref="InvalidDataException">The marker is there but the trailer is truncated or <c>sig_len</c> does not fit.</exception>
    public static ModuleSignatureTrailer? Read(ReadOnlySpan<byte> module)
    {
        if (!IsSigned(module))
        {
            return null;
        }

        var trailerAt = module.Length - Marker.Length - Length;
        if (trailerAt < 0)
        {
            throw new InvalidDataException("module signature trailer is truncated");
        }

        var trailer = module.Slice(trailerAt, Length);
        var signatureLength = BinaryPrimitives.ReadUInt32BigEndian(trailer[8..]);
        if (signatureLength == 0 || signatureLength > trailerAt)
        {
            throw new InvalidDataException($"module signature length {signatureLength} does not fit in the module ({trailerAt} bytes before the trailer)");
        }

        return new ModuleSignatureTrailer(BinaryPrimitives.ReadUInt64BigEndian(trailer), trailerAt - (int)signatureLength, (int)signatureLength);
    }

    /// <summary>
    /// The length of <paramref name="module"/> without any appended signature: every one is stripped, so a module
    /// signed twice yields the module as it was before the first signature.
    /// </summary>
    /// <exception cref="InvalidDataException">A marker is there but its trailer is corrupt, so where the module ends is unknown.</exception>
    public static int UnsignedLength(ReadOnlySpan<byte> module)
    {
        while (Read(module) is { } trailer)
        {
            module = module[..trailer.SignatureOffset];
        }

        return module.Length;
    }

    /// <summary>Writes the trailer for a PKCS#7 signature of <paramref name="signatureLength"/> bytes, then the marker.</summary>
    public static void WritePkcs7(Span<byte> destination, int signatureLength)
    {
        destination[..Length].Clear();
        destination[2] = IdTypePkcs7;
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)signatureLength);
        Marker.CopyTo(destination[Length..]);
    }
}
