using System.Globalization;
using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes <c>ls</c> output: one absolute path a line, sorted; the long form adds type, size and link target.</summary>
internal static class EntryListWriter
{
    /// <summary>Writes <paramref name="entries"/> sorted by path (ordinal).</summary>
    public static async Task WriteAsync(IEnumerable<FileSystemEntry> entries, bool longFormat, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var entry in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await output.WriteLineAsync(longFormat ? FormatLong(entry) : entry.Path);
        }
    }

    /// <summary>The long form: type letter as <c>ls -l</c> writes it, size, path, <c>-&gt; target</c> for symlinks.</summary>
    public static string FormatLong(FileSystemEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var line = string.Create(CultureInfo.InvariantCulture, $"{TypeLetter(entry.Type)} {entry.Size,12} {entry.Path}");
        return entry.Type == EntryType.Symlink ? $"{line} -> {entry.LinkTarget}" : line;
    }

    private static char TypeLetter(EntryType type) => type switch
    {
        EntryType.Directory => 'd',
        EntryType.Symlink => 'l',
        EntryType.CharacterDevice => 'c',
        EntryType.BlockDevice => 'b',
        EntryType.Fifo => 'p',
        _ => '-',
    };
}
