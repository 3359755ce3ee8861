using System.Text;

namespace Kmm.Preflight.Core.Mapping;

/// <summary>
/// Expands variables as KMM does in <c>containerImage</c>, <c>sign.unsignedImage</c> and <c>sign.filesToSign</c>:
/// <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-default}</c> (default when unset or empty), <c>$$</c> for a literal
/// <c>$</c>. Unknown variables become empty; a <c>$</c> not followed by a name or brace stays as it is.
/// </summary>
internal static class VariableExpander
{
    /// <summary>Expands <paramref name="template"/> with <paramref name="variables"/>.</summary>
    /// <exception cref="FormatException">An unclosed <c>${</c> or an empty or invalid name inside <c>${…}</c>.</exception>
    public static string Expand(string template, IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(variables);
        var output = new StringBuilder(template.Length + 16);
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c != '$' || i + 1 == template.Length)
            {
                output.Append(c);
                i++;
                continue;
            }

            var next = template[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i += 2;
            }
            else if (next == '{')
            {
                var close = FindClose(template, i + 2);
                if (close < 0)
                {
                    throw new FormatException($"'{template}': unclosed '${{' at position {i}");
                }

                output.Append(ExpandBraced(template, template[(i + 2)..close], variables));
                i = close + 1;
            }
            else if (IsNameStart(next))
            {
                var end = i + 1;
                while (end < template.Length && IsNamePart(template[end]))
                {
                    end++;
                }

                output.Append(variables.GetValueOrDefault(template[(i + 1)..end], string.Empty));
                i = end;
            }
            else
            {
                output.Append(c);
                i++;
            }
        }

        return output.ToString();
    }

    private static string ExpandBraced(string template, string body, IReadOnlyDictionary<string, string> variables)
    {
        var nameEnd = 0;
        while (nameEnd < body.Length && IsNamePart(body[nameEnd]))
        {
            nameEnd++;
        }

        var name = body[..nameEnd];
        if (name.Length == 0 || !IsNameStart(name[0]))
        {
            throw new FormatException($"'{template}': '${{{body}}}' does not start with a variable name");
        }

        var value = variables.GetValueOrDefault(name);
        var rest = body[nameEnd..];
        if (rest.Length == 0)
        {
            return value ?? string.Empty;
        }

        if (rest.StartsWith(":-", StringComparison.Ordinal))
        {
            return string.IsNullOrEmpty(value) ? Expand(rest[2..], variables) : value;
        }

        if (rest.StartsWith('-'))
        {
            return value ?? Expand(rest[1..], variables);
        }

        throw new FormatException($"'{template}': '${{{body}}}' is not supported (use ${{NAME}} or ${{NAME:-default}})");
    }

    // Defaults may hold nested ${…}, so the closing brace is found by depth.
    private static int FindClose(string text, int start)
    {
        var depth = 1;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                depth++;
                i++;
            }
            else if (text[i] == '}' && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsNamePart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
