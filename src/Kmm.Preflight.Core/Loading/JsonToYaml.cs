using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kmm.Preflight.Core.Loading;

/// <summary>
/// Converts JSON to the YAML node tree, so JSON is read by System.Text.Json's strict parser (YAML parsers differ on
/// JSON corner cases such as tabs) and then mapped by the same code as YAML. Strings become quoted scalars so that
/// <c>"true"</c> stays a string.
/// </summary>
internal static class JsonToYaml
{
    public static YamlNode Convert(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new YamlMappingNode(element.EnumerateObject().Select(p =>
            new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Name) { Style = ScalarStyle.DoubleQuoted }, Convert(p.Value)))),
        JsonValueKind.Array => new YamlSequenceNode(element.EnumerateArray().Select(Convert)),
        JsonValueKind.String => new YamlScalarNode(element.GetString()) { Style = ScalarStyle.DoubleQuoted },
        JsonValueKind.Null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
        _ => new YamlScalarNode(element.GetRawText()) { Style = ScalarStyle.Plain },
    };
}
