using System.Collections;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes the PreflightValidation(OCP) object with its status in indented JSON, as the operator would.</summary>
/// <remarks>
/// Walks the object tree with <see cref="Utf8JsonWriter"/> rather than <see cref="JsonSerializer"/>: serialising
/// <c>object</c> values needs reflection, which the Native AOT build of the tool does not have.
/// </remarks>
internal sealed class JsonReportWriter : ValidationReportWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Keeps '+' and '<' in reasons readable; the output is for terminals and jq, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <inheritdoc />
    public override async Task WriteAsync(PreflightValidationDocument document, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, Options))
        {
            Write(json, document.ToObjectTree());
        }

        await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).AsMemory(), cancellationToken);
    }

    private static void Write(Utf8JsonWriter json, object? node)
    {
        switch (node)
        {
            case null:
                json.WriteNullValue();
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case IReadOnlyDictionary<string, object?> map:
                json.WriteStartObject();
                foreach (var (key, value) in map)
                {
                    json.WritePropertyName(key);
                    Write(json, value);
                }

                json.WriteEndObject();
                break;
            case IEnumerable list:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    Write(json, item);
                }

                json.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"status documents hold strings, booleans, maps and lists, not {node.GetType().Name}");
        }
    }
}
