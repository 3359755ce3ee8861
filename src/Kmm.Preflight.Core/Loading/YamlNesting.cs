using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Kmm.Preflight.Core.Loading;

/// <summary>
/// Rejects YAML nested deeper than Kubernetes objects ever are, before YamlDotNet builds its node tree: building and
/// walking that tree recurses once a level, so a few hundred kilobytes of <c>[[[[…</c> overflowed the stack and
/// killed the process (no exception can be caught for that). The event parser used here does not recurse.
/// The same pass counts what aliases expand to (<see cref="YamlAliasExpansion"/>).
/// </summary>
internal static class YamlNesting
{
    /// <summary>The deepest nesting of mappings and sequences accepted; the same depth JSON input is allowed.</summary>
    public const int MaxDepth = 128;

    /// <summary>
    /// Throws <see cref="ManifestLoadException"/> when a document nests deeper than <see cref="MaxDepth"/> or its
    /// aliases break <see cref="YamlAliasExpansion"/>'s rules.
    /// </summary>
    /// <exception cref="YamlException">The YAML is malformed (the caller reports it as it reports any YAML error).</exception>
    public static void Check(string text, string sourceName)
    {
        var parser = new Parser(new StringReader(text));
        var aliases = new YamlAliasExpansion(sourceName);
        var depth = 0;
        while (parser.MoveNext())
        {
            aliases.Observe(parser.Current!);
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > MaxDepth)
                    {
                        var start = parser.Current.Start;
                        throw new ManifestLoadException(sourceName, null, null, $"YAML nested more than {MaxDepth} levels deep at line {start.Line}, column {start.Column}");
                    }

                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
    }
}
