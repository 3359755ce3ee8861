using System.Collections;
using System.Text.RegularExpressions;
using Kmm.Preflight.Core.Status;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes the PreflightValidation(OCP) object with its status in YAML, as <c>kubectl get -o yaml</c> shows it.</summary>
/// <remarks>
/// Emits YAML events for the object tree directly rather than through YamlDotNet's serializer, which inspects types
/// by reflection and so does not work in the Native AOT build of the tool.
/// </remarks>
internal sealed partial class YamlReportWriter : ValidationReportWriter
{
    private static readonly TagName NullTag = new("tag:yaml.org,2002:null");

    /// <inheritdoc />
    public override async Task WriteAsync(PreflightValidationDocument document, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        using var text = new StringWriter();
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, document.ToObjectTree());
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        await output.WriteAsync(text.ToString().AsMemory(), cancellationToken);
    }

    private static void Emit(IEmitter emitter, object? node)
    {
        switch (node)
        {
            case null:
                // An empty plain value reads back as null; the tag (not printed) lets the emitter write it unquoted.
                emitter.Emit(new Scalar(AnchorName.Empty, NullTag, string.Empty, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case string text:
                emitter.Emit(StringScalar(text));
                break;
            case bool flag:
                emitter.Emit(new Scalar(flag ? "true" : "false"));
                break;
            case IReadOnlyDictionary<string, object?> map:
                emitter.Emit(new MappingStart());
                foreach (var (key, value) in map)
                {
                    emitter.Emit(StringScalar(key));
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case IEnumerable list:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Block));
                foreach (var item in list)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            default:
                throw new InvalidOperationException($"status documents hold strings, booleans, maps and lists, not {node.GetType().Name}");
        }
    }

    // Strings that a YAML reader would take for something else ("True", "6.1", "null", "0x1F") are double-quoted, so
    // the output reads back as written; everything else is plain unless the emitter itself needs quotes (": ", "#").
    private static Scalar StringScalar(string value) => new(
        AnchorName.Empty,
        TagName.Empty,
        value,
        ReadsAsNonString(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any,
        isPlainImplicit: true,
        isQuotedImplicit: true);

    private static bool ReadsAsNonString(string value) => string.IsNullOrWhiteSpace(value) || NonStringScalar().IsMatch(value);

    // YAML 1.2 core schema: null, booleans, integers (decimal, octal, hex), floats, infinities, NaN; and a leading blank.
    [GeneratedRegex(@"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\s.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex NonStringScalar();
}
