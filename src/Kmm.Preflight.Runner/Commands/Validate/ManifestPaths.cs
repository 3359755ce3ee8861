using System.CommandLine;
using Kmm.Preflight.Core.Loading;

namespace Kmm.Preflight.Runner.Commands.Validate;

/// <summary>
/// The paths of <c>--modules</c> and <c>--resources</c>: files, directories, or <c>-</c> for standard input, so
/// <c>kubectl get modules -A -o yaml | kmm-preflight validate --modules - …</c> works.
/// </summary>
internal static class ManifestPaths
{
    /// <summary>The name standard input has in messages.</summary>
    public const string StandardInputName = "<stdin>";

    /// <summary>Whether <paramref name="path"/> means standard input.</summary>
    public static bool IsStandardInput(string path) => path == "-";

    /// <summary>The absolute path, or <c>-</c> unchanged.</summary>
    public static string FullPath(string path) => IsStandardInput(path) ? path : Path.GetFullPath(path);

    /// <summary>Rejects, at parse time, a path that neither exists nor is <c>-</c>.</summary>
    public static void AcceptExistingOrStandardInput(Option<string[]> option) => option.Validators.Add(result =>
    {
        foreach (var path in result.GetValueOrDefault<string[]>() ?? [])
        {
            if (!IsStandardInput(path) && !File.Exists(path) && !Directory.Exists(path))
            {
                result.AddError($"File or directory does not exist: '{path}'.");
            }
        }
    });

    /// <summary>Loads <paramref name="paths"/>, reading standard input for <c>-</c> (at most once per run).</summary>
    /// <exception cref="ManifestLoadException">A document is malformed.</exception>
    /// <exception cref="FileNotFoundException">A path does not exist.</exception>
    public static async Task<ObjectSet> LoadAsync(ManifestLoader loader, IReadOnlyList<string> paths, TextReader? input, CancellationToken cancellationToken)
    {
        var files = paths.Where(p => !IsStandardInput(p)).ToList();
        var result = files.Count == 0 ? ObjectSet.Empty : await loader.LoadAsync(files, cancellationToken);
        if (files.Count != paths.Count)
        {
            var text = input is null ? string.Empty : await input.ReadToEndAsync(cancellationToken);
            result = result.Concat(loader.Parse(text, StandardInputName));
        }

        return result;
    }
}
