using System.Globalization;
using System.Text.RegularExpressions;
using Kmm.Preflight.Core.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kmm.Preflight.Core.Loading;

/// <summary>
/// Reads typed fields from a YAML mapping, keeping the file, object and field path for error messages. Unknown keys
/// are ignored; a value of the wrong type is an error, as the API server would make it.
/// </summary>
internal sealed partial class NodeReader
{
    private readonly YamlMappingNode _node;

    public NodeReader(YamlMappingNode node, string file, ObjectId? objectId, string path)
    {
        _node = node;
        File = file;
        ObjectId = objectId;
        Path = path;
    }

    public string File { get; }

    public ObjectId? ObjectId { get; }

    public string Path { get; }

    public NodeReader WithObject(ObjectId objectId) => new(_node, File, objectId, Path);

    public ManifestLoadException Error(string field, string problem) => new(File, ObjectId, Join(field), problem);

    public ManifestLoadException Error(string problem) => new(File, ObjectId, Path, problem);

    public bool Has(string key) => Get(key) is not null;

    public string? String(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            throw Error(key, $"must be a string, not a {Describe(node)}");
        }

        if (scalar.Style is ScalarStyle.Plain && (IsBool(scalar.Value) || IsNumber(scalar.Value)))
        {
            throw Error(key, $"must be a string, not {scalar.Value} (quote it)");
        }

        return scalar.Value ?? string.Empty;
    }

    public string RequiredString(string key)
    {
        var value = String(key);
        return string.IsNullOrEmpty(value) ? throw Error(key, "is required") : value;
    }

    public bool? Bool(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text } && IsBool(text))
        {
            return text.Equals("true", StringComparison.OrdinalIgnoreCase);
        }

        throw Error(key, $"must be a boolean (true or false), not {DescribeValue(node)}");
    }

    public NodeReader? Mapping(string key)
    {
        var node = Get(key);
        return node switch
        {
            null => null,
            YamlMappingNode mapping => new NodeReader(mapping, File, ObjectId, Join(key)),
            _ => throw Error(key, $"must be an object, not {DescribeValue(node)}"),
        };
    }

    public IReadOnlyList<NodeReader> MappingList(string key)
    {
        var items = Sequence(key);
        var result = new List<NodeReader>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = $"{key}[{i}]";
            result.Add(items[i] is YamlMappingNode mapping
                ? new NodeReader(mapping, File, ObjectId, Join(itemPath))
                : throw Error(itemPath, $"must be an object, not {DescribeValue(items[i])}"));
        }

        return result;
    }

    public IReadOnlyList<string>? StringList(string key)
    {
        if (Get(key) is null)
        {
            return null;
        }

        var items = Sequence(key);
        var result = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            result.Add(items[i] is YamlScalarNode { Value: { } value } scalar && !IsNull(scalar)
                ? value
                : throw Error($"{key}[{i}]", $"must be a string, not {DescribeValue(items[i])}"));
        }

        return result;
    }

    public IReadOnlyList<KeyValuePair<string, string>> StringMap(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return [];
        }

        if (node is not YamlMappingNode mapping)
        {
            throw Error(key, $"must be an object of strings, not {DescribeValue(node)}");
        }

        var result = new List<KeyValuePair<string, string>>();
        foreach (var (k, v) in mapping.Children)
        {
            var name = ((YamlScalarNode)k).Value ?? string.Empty;
            result.Add(v is YamlScalarNode { Value: { } value } scalar && !IsNull(scalar)
                ? new(name, value)
                : throw Error($"{key}.{name}", $"must be a string, not {DescribeValue(v)}"));
        }

        return result;
    }

    /// <summary>A <c>LocalObjectReference</c> (<c>{name: …}</c>): its name, or null when absent.</summary>
    public string? ReferenceName(string key) => Mapping(key)?.RequiredString("name");

    public List<YamlNode> Sequence(string key)
    {
        var node = Get(key);
        return node switch
        {
            null => [],
            YamlSequenceNode sequence => sequence.Children.ToList(),
            _ => throw Error(key, $"must be a list, not {DescribeValue(node)}"),
        };
    }

    private YamlNode? Get(string key)
    {
        if (!_node.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        return node is YamlScalarNode scalar && IsNull(scalar) ? null : node;
    }

    private string Join(string key) => Path.Length == 0 ? key : Path + "." + key;

    internal static bool IsNull(YamlScalarNode scalar)
        => scalar.Style == ScalarStyle.Plain && (string.IsNullOrEmpty(scalar.Value) || scalar.Value is "~" or "null" or "Null" or "NULL");

    private static bool IsBool(string? text) => text is "true" or "false" or "True" or "False" or "TRUE" or "FALSE";

    private static bool IsNumber(string? text) => text is not null && NumberPattern().IsMatch(text);

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "object",
        YamlSequenceNode => "list",
        _ => "scalar",
    };

    private static string DescribeValue(YamlNode node) => node switch
    {
        YamlScalarNode { Style: ScalarStyle.Plain } s => string.Create(CultureInfo.InvariantCulture, $"{s.Value}"),
        YamlScalarNode s => $"the string \"{s.Value}\"",
        _ => "a " + Describe(node),
    };

    [GeneratedRegex(@"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")]
    private static partial Regex NumberPattern();
}
