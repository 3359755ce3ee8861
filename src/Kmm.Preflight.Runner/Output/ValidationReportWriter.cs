using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Runner.Commands.Validate;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes the PreflightValidation(OCP) status document in one output format.</summary>
internal abstract class ValidationReportWriter
{
    /// <summary>The writer for <paramref name="format"/>.</summary>
    public static ValidationReportWriter For(OutputFormat format) => format switch
    {
        OutputFormat.Json => new JsonReportWriter(),
        OutputFormat.Yaml => new YamlReportWriter(),
        _ => new TableReportWriter(),
    };

    /// <summary>Writes <paramref name="document"/> to <paramref name="output"/>.</summary>
    public abstract Task WriteAsync(PreflightValidationDocument document, TextWriter output, CancellationToken cancellationToken);
}
