using System.Globalization;
using System.Text;
using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes one row a module (namespace/name, verified, stage, reason) and a summary line, for people.</summary>
internal sealed class TableReportWriter : ValidationReportWriter
{
    private static readonly string[] Headers = ["MODULE", "VERIFIED", "STAGE", "REASON"];

    /// <inheritdoc />
    public override async Task WriteAsync(PreflightValidationDocument document, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        var rows = document.Modules
            .Select(m => new[] { $"{m.Namespace}/{m.Name}", m.VerificationStatus, m.VerificationStageText, m.StatusReason })
            .ToList();
        var widths = Enumerable.Range(0, Headers.Length - 1)
            .Select(i => rows.Select(r => r[i].Length).Append(Headers[i].Length).Max())
            .ToArray();
        var text = new StringBuilder();
        AppendRow(text, Headers, widths);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        var verified = document.Modules.Count(m => m.Verified);
        text.Append(CultureInfo.InvariantCulture, $"{document.Modules.Count} module(s) checked for {Target(document)}: {verified} verified, {document.Modules.Count - verified} not verified.").Append('\n');
        await output.WriteAsync(text, cancellationToken);
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < widths.Length; i++)
        {
            text.Append(cells[i].PadRight(widths[i] + 2));
        }

        text.Append(cells[^1]).Append('\n');
    }

    private static string Target(PreflightValidationDocument document)
        => document.Spec.TryGetValue("kernelVersion", out var kernel) && kernel is not null ? $"kernel {kernel}"
            : document.Spec.TryGetValue("releaseImage", out var release) && release is not null ? $"release {release}"
            : document.Name;
}
