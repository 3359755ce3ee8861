using System.Formats.Tar;
using System.Text;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>
/// Writes the build context the engine receives: the Dockerfile, and each build secret's keys as files under
/// <c>&lt;secret directory&gt;/&lt;secret&gt;/&lt;key&gt;</c>, where the <c>RUN</c> mounts find them. KMM's own context
/// holds only the Dockerfile, so nothing else is sent. Plain ustar entries: dockerd's BuildKit upload takes a tar
/// that starts with a PAX extended header for a Dockerfile (measured: "unknown instruction: ./PaxHeaders…").
/// </summary>
internal static class BuildContextWriter
{
    public static async Task WriteAsync(Stream destination, string dockerfile, string? secretDirectory, IReadOnlyList<(string Name, IReadOnlyDictionary<string, byte[]> Data)> secrets, CancellationToken cancellationToken)
    {
        await using var tar = new TarWriter(destination, TarEntryFormat.Ustar, leaveOpen: true);
        await WriteFileAsync(tar, "Dockerfile", Encoding.UTF8.GetBytes(dockerfile), cancellationToken);
        if (secretDirectory is null)
        {
            return;
        }

        await WriteDirectoryAsync(tar, secretDirectory + "/", cancellationToken);
        foreach (var (name, data) in secrets)
        {
            await WriteDirectoryAsync(tar, $"{secretDirectory}/{name}/", cancellationToken);
            foreach (var (key, value) in data)
            {
                await WriteFileAsync(tar, $"{secretDirectory}/{name}/{key}", value, cancellationToken);
            }
        }
    }

    private static async Task WriteFileAsync(TarWriter tar, string name, byte[] content, CancellationToken cancellationToken)
    {
        await using var data = new MemoryStream(content, writable: false);
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = data,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        };
        await tar.WriteEntryAsync(entry, cancellationToken);
    }

    private static Task WriteDirectoryAsync(TarWriter tar, string name, CancellationToken cancellationToken)
        => tar.WriteEntryAsync(new UstarTarEntry(TarEntryType.Directory, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
        }, cancellationToken);
}
