using System.Globalization;
using System.Text;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes one row a module (namespace/name, verified, stage, reason) and a summary line, for people.</summary>
internal sealed class TableReportWriter : ValidationReportWriter
{
    private static readonly string[] Headers = ["MODULE", "VERIFIED", "STAGE", "REASON"];

    /// <inheritdoc />
    public override async Task WriteAsync(ValidationReport report, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var rows = report.Modules
            .Select(m => new[] { $"{m.Namespace}/{m.Name}", m.Verified ? "True" : "False", m.Stage, m.Reason })
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

        var verified = report.Modules.Count(m => m.Verified);
        text.Append(CultureInfo.InvariantCulture, $"{report.Modules.Count} module(s) checked for {Target(report)}: {verified} verified, {report.Modules.Count - verified} not verified.").Append('\n');
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

    private static string Target(ValidationReport report)
    {
        var kernel = report.Spec.FirstOrDefault(p => p.Key == "kernelVersion").Value;
        var release = report.Spec.FirstOrDefault(p => p.Key == "releaseImage").Value;
        return kernel is not null ? $"kernel {kernel}" : release is not null ? $"release {release}" : report.Name;
    }
}
