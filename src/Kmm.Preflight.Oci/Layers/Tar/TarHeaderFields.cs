namespace Kmm.Preflight.Oci.Layers.Tar;

/// <summary>Offsets and lengths of the fields of a 512-byte ustar / GNU tar header.</summary>
internal static class TarHeaderFields
{
    public const int BlockSize = 512;
    public const int NameOffset = 0;
    public const int NameLength = 100;
    public const int ModeOffset = 100;
    public const int ModeLength = 8;
    public const int SizeOffset = 124;
    public const int SizeLength = 12;
    public const int ChecksumOffset = 148;
    public const int ChecksumLength = 8;
    public const int TypeFlagOffset = 156;
    public const int LinkNameOffset = 157;
    public const int LinkNameLength = 100;
    public const int MagicOffset = 257;
    public const int MagicLength = 6;
    public const int VersionOffset = 263;
    public const int PrefixOffset = 345;
    public const int PrefixLength = 155;

    /// <summary>POSIX ustar magic (<c>ustar\0</c>): the prefix field extends the name.</summary>
    public static ReadOnlySpan<byte> UstarMagic => "ustar\0"u8;

    /// <summary>GNU magic (<c>ustar </c>): the prefix area holds other fields.</summary>
    public static ReadOnlySpan<byte> GnuMagic => "ustar "u8;
}
