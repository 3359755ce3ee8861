using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>Finds the regular files of an image that the <c>filesToSign</c> patterns name.</summary>
internal static class FilesToSign
{
    /// <summary>
    /// The matched paths in pattern order (each once), or a problem naming the first pattern that is malformed or
    /// matched nothing (KMM's signing job fails on such a pattern too).
    /// </summary>
    public static async Task<(IReadOnlyList<FileSystemEntry> Files, string? Problem)> FindAsync(
        IReadOnlyList<string> patterns, IImageFiles image, int maxFiles, CancellationToken cancellationToken)
    {
        if (patterns.Count == 0)
        {
            return ([], "sign.filesToSign is empty; list the module files to sign (absolute paths in the image, globs allowed)");
        }

        var found = new List<FileSystemEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pattern in patterns)
        {
            FileGlob glob;
            try
            {
                glob = FileGlob.Parse(pattern);
            }
            catch (FormatException ex)
            {
                return ([], $"sign.filesToSign pattern {ex.Message}; write absolute paths in the image");
            }

            List<FileSystemEntry> matches;
            if (glob.IsLiteral)
            {
                var entry = await image.GetEntryAsync(glob.LiteralPath, followSymlinks: true, cancellationToken);
                matches = entry is null ? [] : [entry];
                if (entry is { Type: not EntryType.File })
                {
                    return ([], $"sign.filesToSign names {glob.LiteralPath}, which is a {entry.Type} in image {image.Name}, not a file");
                }
            }
            else
            {
                matches = (await image.FindAsync(glob.Directory, e => e.Type == EntryType.File && glob.IsMatch(e.Path), cancellationToken))
                    .OrderBy(e => e.Path, StringComparer.Ordinal)
                    .ToList();
            }

            if (matches.Count == 0)
            {
                return ([], $"sign.filesToSign pattern {pattern} matched no file in image {image.Name}; fix the path (is the kernel version in it right?)");
            }

            foreach (var match in matches.Where(m => seen.Add(m.Path)))
            {
                found.Add(match);
                if (found.Count > maxFiles)
                {
                    return ([], $"sign.filesToSign matched more than {maxFiles} files in image {image.Name}; narrow the patterns");
                }
            }
        }

        return (found, null);
    }
}
