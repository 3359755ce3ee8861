using Kmm.Preflight.Core.Status;
using YamlDotNet.Serialization;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes the PreflightValidation(OCP) object with its status in YAML, as <c>kubectl get -o yaml</c> shows it.</summary>
internal sealed class YamlReportWriter : ValidationReportWriter
{
    // Strings that YAML would read as something else ("True", "6.1", "null") are quoted, so the output reads back as written.
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .Build();

    /// <inheritdoc />
    public override async Task WriteAsync(PreflightValidationDocument document, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteAsync(Serializer.Serialize(ToSerializable(document.ToObjectTree())).AsMemory(), cancellationToken);
    }

    // YamlDotNet writes IDictionary as a mapping but a read-only dictionary as a sequence of pairs: copy into
    // insertion-ordered dictionaries, so the keys keep the operator's order.
    private static object? ToSerializable(object? node) => node switch
    {
        IReadOnlyDictionary<string, object?> map => new OrderedDictionary<string, object?>(map.Select(p => KeyValuePair.Create(p.Key, ToSerializable(p.Value)))),
        string or bool or null => node,
        System.Collections.IEnumerable list => list.Cast<object?>().Select(ToSerializable).ToList(),
        _ => node,
    };
}
