using System.Text.Encodings.Web;
using System.Text.Json;
using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes the PreflightValidation(OCP) object with its status in indented JSON, as the operator would.</summary>
internal sealed class JsonReportWriter : ValidationReportWriter
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <inheritdoc />
    public override async Task WriteAsync(PreflightValidationDocument document, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteLineAsync(JsonSerializer.Serialize(document.ToObjectTree(), Options).AsMemory(), cancellationToken);
    }
}
