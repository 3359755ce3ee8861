using Kmm.Preflight.Core.Mapping;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>
/// The <c>FROM</c> lines of a Dockerfile and the images they name, substituted as the engines do: only the
/// <c>ARG</c>s declared before the first <c>FROM</c> apply, with their defaults overridden by the build arguments
/// (so <c>ARG DTK_AUTO</c> / <c>FROM ${DTK_AUTO}</c> names the driver toolkit). A name that is an earlier stage's
/// alias, or <c>scratch</c>, is no image.
/// </summary>
internal static class DockerfileStages
{
    /// <exception cref="FormatException">A <c>FROM</c> has no image, or an image becomes empty after substitution.</exception>
    public static IReadOnlyList<DockerfileStage> Find(IReadOnlyList<DockerfileInstruction> instructions, IReadOnlyList<KeyValuePair<string, string>> buildArgs)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in buildArgs)
        {
            given[name] = value;
        }

        var global = new Dictionary<string, string>(StringComparer.Ordinal);
        var aliases = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var stages = new List<DockerfileStage>();
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "ARG" && stages.Count == 0)
            {
                foreach (var declaration in instruction.Words)
                {
                    var equals = declaration.IndexOf('=', StringComparison.Ordinal);
                    var name = equals < 0 ? declaration : declaration[..equals];
                    var fallback = equals < 0 ? null : declaration[(equals + 1)..].Trim('"', '\'');
                    if (given.TryGetValue(name, out var value) || fallback is not null)
                    {
                        global[name] = value ?? fallback!;
                    }
                }
            }

            if (instruction.Keyword != "FROM")
            {
                continue;
            }

            var operands = instruction.Operands.ToList();
            if (operands.Count == 0)
            {
                throw new FormatException($"line {instruction.FirstLine + 1}: FROM names no image");
            }

            var written = operands[0];
            var alias = operands.Count >= 3 && operands[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? operands[2] : null;
            var image = VariableExpander.Expand(written, global).Trim();
            if (image.Length == 0)
            {
                throw new FormatException($"line {instruction.FirstLine + 1}: FROM {written} names no image once build arguments are substituted (is {written.Trim('$', '{', '}')} declared with ARG before the first FROM and given a value?)");
            }

            var isImage = !image.Equals("scratch", StringComparison.OrdinalIgnoreCase) && !aliases.Contains(image);
            stages.Add(new DockerfileStage(instruction, written, isImage ? image : null, alias));
            if (alias is not null)
            {
                aliases.Add(alias);
            }
        }

        if (stages.Count == 0)
        {
            throw new FormatException("the Dockerfile has no FROM instruction");
        }

        return stages;
    }
}
