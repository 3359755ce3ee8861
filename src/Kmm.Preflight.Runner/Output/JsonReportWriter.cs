using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes the report as the PreflightValidation object in indented JSON.</summary>
internal sealed class JsonReportWriter : ValidationReportWriter
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <inheritdoc />
    public override async Task WriteAsync(ValidationReport report, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteLineAsync(JsonSerializer.Serialize(report.ToDocument(), Options).AsMemory(), cancellationToken);
    }
}
