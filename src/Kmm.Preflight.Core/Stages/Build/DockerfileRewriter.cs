using System.Text;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>
/// Rewrites a Dockerfile for a build that must not depend on the engine's registries, and that mounts secrets:
/// each <c>FROM</c> image becomes the local name its pre-loaded copy has, and each <c>RUN</c> gets one read-only bind
/// mount per build secret, from the build context's secret directory to <c>/run/secrets/&lt;secret&gt;</c>, where KMM
/// mounts them. A bind mount leaves nothing in the layer; a <c>COPY</c>/<c>ADD</c> from the context would, so one that
/// could reach the secret directory is refused.
/// </summary>
internal static class DockerfileRewriter
{
    /// <summary>The rewritten Dockerfile.</summary>
    /// <param name="lines">The Dockerfile's lines.</param>
    /// <param name="instructions">Its instructions (<see cref="DockerfileReader"/>).</param>
    /// <param name="stages">Its <c>FROM</c>s (<see cref="DockerfileStages"/>).</param>
    /// <param name="localNames">The local name of each base image, by image as substituted.</param>
    /// <param name="secretDirectory">The context directory holding one directory per secret; null for no secrets.</param>
    /// <param name="secrets">The secret names.</param>
    /// <exception cref="FormatException">A <c>COPY</c> or <c>ADD</c> could copy the secret directory into the image.</exception>
    public static string Rewrite(
        string[] lines,
        IReadOnlyList<DockerfileInstruction> instructions,
        IReadOnlyList<DockerfileStage> stages,
        IReadOnlyDictionary<string, string> localNames,
        string? secretDirectory,
        IReadOnlyList<string> secrets)
    {
        var output = lines.ToArray();
        foreach (var stage in stages.Where(s => s.Image is not null))
        {
            var instruction = stage.Instruction;
            var flags = string.Concat(instruction.Flags.Select(f => f + " "));
            var alias = stage.Alias is null ? string.Empty : $" AS {stage.Alias}";
            output[instruction.FirstLine] = $"FROM {flags}{localNames[stage.Image!]}{alias}";
            for (var line = instruction.FirstLine + 1; line <= instruction.LastLine; line++)
            {
                output[line] = string.Empty;
            }
        }

        if (secretDirectory is not null && secrets.Count > 0)
        {
            foreach (var instruction in instructions)
            {
                if (instruction.Keyword is "COPY" or "ADD")
                {
                    CheckCopy(instruction, secretDirectory);
                }
                else if (instruction.Keyword == "RUN")
                {
                    output[instruction.FirstLine] = AddMounts(output[instruction.FirstLine], instruction, secretDirectory, secrets);
                }
            }
        }

        var text = new StringBuilder();
        foreach (var line in output)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The mount flag that puts <paramref name="secret"/> where KMM does.</summary>
    public static string MountFlag(string secretDirectory, string secret)
        => $"--mount=type=bind,source={secretDirectory}/{secret},target=/run/secrets/{secret}";

    // "RUN --mount=… cmd": flags go right after the keyword, before the shell or exec form; a mount the user already
    // put at the same target wins.
    private static string AddMounts(string firstLine, DockerfileInstruction instruction, string secretDirectory, IReadOnlyList<string> secrets)
    {
        var keywordStart = firstLine.Length - firstLine.TrimStart().Length;
        var keywordEnd = keywordStart + "RUN".Length;
        var mounts = secrets
            .Where(s => !instruction.Flags.Any(f => f.StartsWith("--mount=", StringComparison.Ordinal) && Targets(f, $"/run/secrets/{s}")))
            .Select(s => " " + MountFlag(secretDirectory, s));
        return firstLine[..keywordEnd] + string.Concat(mounts) + firstLine[keywordEnd..];
    }

    private static bool Targets(string mountFlag, string target)
        => mountFlag["--mount=".Length..].Split(',').Any(option =>
            option.Split('=', 2) is [var key, var value]
            && key is "target" or "dst" or "destination"
            && value.TrimEnd('/') == target);

    private static void CheckCopy(DockerfileInstruction instruction, string secretDirectory)
    {
        if (instruction.Flags.Any(f => f.StartsWith("--from=", StringComparison.Ordinal)))
        {
            return;
        }

        var operands = instruction.Operands.Select(o => o.Trim('[', ']', ',', '"')).Where(o => o.Length > 0).ToList();
        foreach (var source in operands.Take(operands.Count - 1))
        {
            var path = source;
            while (path.StartsWith("./", StringComparison.Ordinal) || path.StartsWith('/'))
            {
                path = path.StartsWith('/') ? path[1..] : path[2..];
            }

            var first = path.Split('/')[0];

            if (first is "" or "." or ".." || first.IndexOfAny(['*', '?', '[']) >= 0 || first == secretDirectory)
            {
                throw new FormatException(
                    $"line {instruction.FirstLine + 1}: {instruction.Keyword} {source} copies from the whole build context, which holds the build secrets here "
                    + "(KMM's context holds only the Dockerfile); copy named files, or from an earlier stage with --from");
            }
        }
    }
}
