using System.Text;
using System.Text.RegularExpressions;

namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>
/// One <c>filesToSign</c> pattern: an absolute path whose components may hold shell wildcards (<c>*</c>, <c>?</c>,
/// <c>[abc]</c>, <c>[a-z]</c>, <c>[!x]</c>), matched per component as the shell that KMM's signing job runs does: no
/// wildcard crosses a <c>/</c>, and <c>\</c> escapes the next character.
/// </summary>
internal sealed class FileGlob
{
    private readonly Regex? _regex;

    private FileGlob(string pattern, string directory, Regex? regex)
    {
        Pattern = pattern;
        Directory = directory;
        _regex = regex;
    }

    /// <summary>The pattern as written.</summary>
    public string Pattern { get; }

    /// <summary>The deepest directory without wildcards: the only place a match can be.</summary>
    public string Directory { get; }

    /// <summary>Whether the pattern has no wildcard (it names one file).</summary>
    public bool IsLiteral => _regex is null;

    /// <summary>Parses <paramref name="pattern"/>.</summary>
    /// <exception cref="FormatException">Not an absolute path, or an unclosed <c>[</c>.</exception>
    public static FileGlob Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (!pattern.StartsWith('/'))
        {
            throw new FormatException($"'{pattern}' is not an absolute path");
        }

        var components = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (components.Length == 0)
        {
            throw new FormatException($"'{pattern}' names no file");
        }

        var literal = components.TakeWhile(c => !HasWildcard(c)).Count();
        if (literal == components.Length)
        {
            var path = "/" + string.Join('/', components.Select(Unescape));
            return new FileGlob(pattern, path[..path.LastIndexOf('/')] is { Length: > 0 } parent ? parent : "/", null);
        }

        var directory = "/" + string.Join('/', components.Take(literal).Select(Unescape));
        var regex = new StringBuilder("^");
        foreach (var component in components)
        {
            regex.Append('/').Append(ComponentRegex(component, pattern));
        }

        return new FileGlob(pattern, directory, new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline));
    }

    /// <summary>The one path a literal pattern names (normalised: no doubled or trailing slashes).</summary>
    public string LiteralPath => "/" + string.Join('/', Pattern.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Unescape));

    /// <summary>Whether the absolute, normalised <paramref name="path"/> matches.</summary>
    public bool IsMatch(string path) => _regex?.IsMatch(path) ?? string.Equals(path, LiteralPath, StringComparison.Ordinal);

    private static bool HasWildcard(string component)
    {
        for (var i = 0; i < component.Length; i++)
        {
            switch (component[i])
            {
                case '\\':
                    i++;
                    break;
                case '*' or '?' or '[':
                    return true;
            }
        }

        return false;
    }

    private static string Unescape(string component) => component.Contains('\\', StringComparison.Ordinal)
        ? Regex.Replace(component, @"\\(.)", "$1")
        : component;

    private static string ComponentRegex(string component, string pattern)
    {
        var regex = new StringBuilder();
        for (var i = 0; i < component.Length; i++)
        {
            var c = component[i];
            switch (c)
            {
                case '\\' when i + 1 < component.Length:
                    regex.Append(Regex.Escape(component[++i].ToString()));
                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    var end = component.IndexOf(']', i + 2);
                    if (end < 0)
                    {
                        throw new FormatException($"'{pattern}' has an unclosed '['");
                    }

                    var set = component[(i + 1)..end];
                    var negated = set.StartsWith('!') || set.StartsWith('^');
                    if (negated)
                    {
                        set = set[1..];
                    }

                    // Inside a class only '\', ']' and '^' are special to .NET; '-' keeps its range meaning.
                    var body = set.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("^", "\\^", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal);
                    regex.Append(negated ? "[^/" : "[").Append(body).Append(']');
                    i = end;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.ToString();
    }
}
