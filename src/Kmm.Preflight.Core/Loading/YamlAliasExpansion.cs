using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Kmm.Preflight.Core.Loading;

/// <summary>
/// Refuses YAML whose aliases would make the loaded node graph behave like a much larger document, before YamlDotNet
/// builds it. YamlDotNet shares an anchored node among its aliases, so memory stays small, but anything that walks a
/// node walks every alias inside it again: a sequence used as a mapping key is hashed (and compared, and printed in
/// a duplicate-key error) over its whole expansion. A billion-laughs chain reaching a key (an afl++ finding) took
/// about 12 s that way; a chain nine levels deep would take hours. Counting on the event stream costs one pass.
/// </summary>
/// <remarks>
/// Rules, as in the YAML specification and Kubernetes' own YAML decoder: an alias must name an anchor defined before
/// it in the same document (YamlDotNet would resolve a later one, which can close a cycle), and must not name a node
/// that contains it (a cycle: <c>&amp;a [*a]</c>, which made any walk of that node endless). And the nodes aliases
/// add, each alias counted as a copy of its anchor's whole node, may total at most <see cref="MaxAliasNodes"/> for
/// the whole file (all documents together, so many small bombs cannot add up either).
/// </remarks>
internal sealed class YamlAliasExpansion
{
    /// <summary>
    /// The most nodes aliases may add to a file. Kubernetes' decoder allows at most about 400,000 alias-driven
    /// decodes, so anything kubectl accepts fits; a million node visits take tens of milliseconds.
    /// </summary>
    public const long MaxAliasNodes = 1_000_000;

    private readonly string _sourceName;

    // The anchors of the current document; a later anchor of the same name replaces an earlier one, as in YamlDotNet.
    private readonly Dictionary<AnchorName, Anchored> _anchors = [];

    // The sequences and mappings being read, innermost last, with the expanded size of their content so far.
    private readonly Stack<Collection> _open = new();

    private long _aliasNodes;

    /// <summary>Creates a counter for one file, named <paramref name="sourceName"/> in errors.</summary>
    public YamlAliasExpansion(string sourceName)
    {
        _sourceName = sourceName;
    }

    /// <summary>Accounts for the next event of the file.</summary>
    /// <exception cref="ManifestLoadException">An alias breaks one of the rules.</exception>
    public void Observe(ParsingEvent parsingEvent)
    {
        switch (parsingEvent)
        {
            case DocumentStart:
                // Anchors are per document (YamlDotNet loads each document on its own); the alias budget is not.
                _anchors.Clear();
                _open.Clear();
                break;
            case AnchorAlias alias:
                Alias(alias);
                break;
            case Scalar scalar:
                if (!scalar.Anchor.IsEmpty)
                {
                    _anchors[scalar.Anchor] = new Anchored { Size = 1 };
                }

                AddToParent(1);
                break;
            case NodeEvent start and (SequenceStart or MappingStart):
                Anchored? anchored = null;
                if (!start.Anchor.IsEmpty)
                {
                    anchored = new Anchored { IsOpen = true };
                    _anchors[start.Anchor] = anchored;
                }

                _open.Push(new Collection(anchored));
                break;
            case SequenceEnd or MappingEnd when _open.Count > 0:
                var ended = _open.Pop();
                var size = ended.Size + 1;
                if (ended.Anchor is { } own)
                {
                    own.Size = size;
                    own.IsOpen = false;
                }

                AddToParent(size);
                break;
        }
    }

    private void Alias(AnchorAlias alias)
    {
        var where = $"alias *{alias.Value} at line {alias.Start.Line}, column {alias.Start.Column}";
        if (!_anchors.TryGetValue(alias.Value, out var target))
        {
            throw Refuse($"{where} names no anchor defined before it in the document");
        }

        if (target.IsOpen)
        {
            throw Refuse($"{where} names a node that contains it (a cycle)");
        }

        _aliasNodes += target.Size;
        if (_aliasNodes > MaxAliasNodes)
        {
            throw Refuse($"aliases expand to more than {MaxAliasNodes:N0} nodes (reached at {where}); refused as an alias bomb");
        }

        AddToParent(target.Size);
    }

    private void AddToParent(long size)
    {
        if (_open.TryPeek(out var parent))
        {
            parent.Size += size;
        }
    }

    private ManifestLoadException Refuse(string problem) => new(_sourceName, null, null, problem);

    private sealed class Anchored
    {
        // Nodes in the anchored node, aliases inside it expanded; known once the node ends.
        public long Size { get; set; }

        public bool IsOpen { get; set; }
    }

    private sealed class Collection(Anchored? anchor)
    {
        public Anchored? Anchor { get; } = anchor;

        public long Size { get; set; }
    }
}
