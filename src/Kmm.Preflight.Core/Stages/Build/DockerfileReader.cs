using System.Text.RegularExpressions;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>
/// Splits a Dockerfile into instructions as the engines' parsers do: the <c># escape=</c> directive, line
/// continuations (comment and empty lines inside one are skipped), and heredoc bodies (<c>RUN &lt;&lt;EOF</c>), which
/// belong to their instruction and are never read as instructions themselves.
/// </summary>
internal static partial class DockerfileReader
{
    /// <summary>The lines of <paramref name="dockerfile"/> (any line ending).</summary>
    public static string[] Lines(string dockerfile) => dockerfile.ReplaceLineEndings("\n").Split('\n');

    public static IReadOnlyList<DockerfileInstruction> Read(string[] lines)
    {
        var escape = EscapeCharacter(lines);
        var instructions = new List<DockerfileInstruction>();
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var first = i;
            var text = trimmed;
            while (text.EndsWith(escape) && i + 1 < lines.Length)
            {
                text = text[..^1];
                i++;
                var next = lines[i].Trim();
                if (next.Length == 0 || next.StartsWith('#'))
                {
                    // Skipped lines inside a continuation keep it going.
                    text += escape;
                    continue;
                }

                text += " " + next;
            }

            var space = text.IndexOfAny([' ', '\t']);
            var keyword = (space < 0 ? text : text[..space]).ToUpperInvariant();
            var arguments = space < 0 ? string.Empty : text[(space + 1)..].Trim();
            if (keyword is "RUN" or "COPY" or "ADD")
            {
                foreach (Match heredoc in HeredocPattern().Matches(arguments))
                {
                    var word = heredoc.Groups["word"].Value;
                    while (i + 1 < lines.Length)
                    {
                        i++;
                        var body = heredoc.Groups["dash"].Success ? lines[i].TrimStart('\t') : lines[i];
                        if (body == word)
                        {
                            break;
                        }
                    }
                }
            }

            instructions.Add(new DockerfileInstruction(keyword, arguments, first, i));
        }

        return instructions;
    }

    // Parser directives come first, before any comment, empty line or instruction.
    private static char EscapeCharacter(string[] lines)
    {
        foreach (var line in lines)
        {
            var directive = DirectivePattern().Match(line);
            if (!directive.Success)
            {
                break;
            }

            if (directive.Groups["name"].Value.Equals("escape", StringComparison.OrdinalIgnoreCase) && directive.Groups["value"].Value is "`")
            {
                return '`';
            }
        }

        return '\\';
    }

    [GeneratedRegex(@"^#\s*(?<name>[a-zA-Z]+)\s*=\s*(?<value>\S+)\s*$")]
    private static partial Regex DirectivePattern();

    [GeneratedRegex(@"<<(?<dash>-)?[""']?(?<word>[A-Za-z_][A-Za-z0-9_]*)[""']?")]
    private static partial Regex HeredocPattern();
}
