namespace Kmm.Preflight.Core.Signing;

/// <summary>Signing module files, compressed or not, in place or into another file.</summary>
public static partial class ModuleSigner
{
    /// <summary>
    /// Signs the module file <paramref name="path"/> in place, as <c>sign-file HASH KEY CERT MODULE</c> does: the
    /// signed module (compressed again when the file is xz, zstd or gzip) is written to a temporary file next to it
    /// that then replaces it, so readers see the old or the new module, never half of one; the file mode is kept.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="InvalidDataException">The compressed data is corrupt, or an old signature's trailer is.</exception>
    /// <exception cref="IOException">The file cannot be read or replaced (<see cref="FileNotFoundException"/> when missing).</exception>
    /// <exception cref="UnauthorizedAccessException">The file or its directory may not be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the file is unchanged.</exception>
    public static Task SignFileAsync(string path, ModuleSigningKey key, ModuleSigningOptions? options = null, CancellationToken cancellationToken = default) =>
        SignFileAsync(path, path, key, options, cancellationToken);

    /// <summary>
    /// Signs the module file <paramref name="sourcePath"/> into <paramref name="destinationPath"/> (replaced atomically
    /// if it exists), as <c>sign-file HASH KEY CERT MODULE DEST</c> does; compressed modules stay compressed.
    /// </summary>
    /// <exception cref="ArgumentException">A path is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="InvalidDataException">The compressed data is corrupt, or an old signature's trailer is.</exception>
    /// <exception cref="IOException">A file cannot be read or written (<see cref="FileNotFoundException"/> when the source is missing).</exception>
    /// <exception cref="UnauthorizedAccessException">A file or directory may not be read or written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the destination is unchanged.</exception>
    public static async Task SignFileAsync(string sourcePath, string destinationPath, ModuleSigningKey key, ModuleSigningOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        ArgumentNullException.ThrowIfNull(key);
        var module = await File.ReadAllBytesAsync(sourcePath, cancellationToken);
        var signed = await SignAsync(module, key, options, cancellationToken);
        await ReplaceAsync(destinationPath, signed, File.Exists(destinationPath) ? destinationPath : sourcePath, cancellationToken);
    }

    private static async Task ReplaceAsync(string path, byte[] contents, string modeFrom, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.~signed~");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(contents, cancellationToken);
                // On disk before the rename, so a crash leaves the old module or the new one, not an empty file.
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(modeFrom));
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
