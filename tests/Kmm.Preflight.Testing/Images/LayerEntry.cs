using System.Formats.Tar;

namespace Kmm.Preflight.Testing.Images;

/// <summary>One entry a <see cref="LayerBuilder"/> will write, with its exact tar name.</summary>
internal sealed record LayerEntry(TarEntryType Type, string Name, UnixFileMode Mode)
{
    public byte[]? Content { get; init; }

    public string? SourceFile { get; init; }

    public string? LinkName { get; init; }

    /// <summary>Whether the name is an image path as the library writes it (no style, not raw), so the library may write it.</summary>
    public bool IsPlain { get; init; }
}
