using System.Text;
using Kmm.Preflight.Oci.Writing;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>
/// Writes the build context the engine receives: the Dockerfile, and each build secret's keys as files under
/// <c>&lt;secret directory&gt;/&lt;secret&gt;/&lt;key&gt;</c>, where the <c>RUN</c> mounts find them. KMM's own context
/// holds only the Dockerfile, so nothing else is sent. It is an uncompressed layer of the library's
/// <see cref="LayerWriter"/>: plain ustar entries, which dockerd's BuildKit upload needs (a context tar starting with a
/// PAX extended header is read as the Dockerfile itself, measured: "unknown instruction: ./PaxHeaders…").
/// </summary>
internal static class BuildContextWriter
{
    private static readonly LayerEntryMetadata Readable = new() { Mode = (UnixFileMode)0x1A4 };

    public static async Task WriteAsync(Stream destination, string dockerfile, string? secretDirectory, IReadOnlyList<(string Name, IReadOnlyDictionary<string, byte[]> Data)> secrets, CancellationToken cancellationToken)
    {
        await using var writer = LayerWriter.CreateInMemory(new LayerWriterOptions { Compression = LayerWriterCompression.None });
        await writer.AddFileAsync("Dockerfile", Encoding.UTF8.GetBytes(dockerfile), Readable, cancellationToken);
        if (secretDirectory is not null)
        {
            foreach (var (name, data) in secrets)
            {
                // A Secret without keys still needs its directory: the RUN mounts name it.
                await writer.AddDirectoryAsync($"{secretDirectory}/{name}", cancellationToken: cancellationToken);
                foreach (var (key, value) in data)
                {
                    await writer.AddFileAsync($"{secretDirectory}/{name}/{key}", value, Readable, cancellationToken);
                }
            }
        }

        using var context = await writer.CompleteAsync(cancellationToken);
        await using var tar = await context.OpenAsync(0, cancellationToken);
        await tar.CopyToAsync(destination, cancellationToken);
    }
}
