using System.IO.Compression;

namespace Kmm.Preflight.Testing.Images;

/// <summary>Maps .NET compression levels to zstd levels.</summary>
internal static class ZstdLevel
{
    public static int From(CompressionLevel level) => level switch
    {
        CompressionLevel.Fastest => 1,
        CompressionLevel.SmallestSize => 19,
        CompressionLevel.NoCompression => 1,
        _ => 3,
    };
}
