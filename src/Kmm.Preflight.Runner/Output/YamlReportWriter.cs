using YamlDotNet.Serialization;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Writes the report as the PreflightValidation object in YAML, as <c>kubectl get -o yaml</c> would show it.</summary>
internal sealed class YamlReportWriter : ValidationReportWriter
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .Build();

    /// <inheritdoc />
    public override async Task WriteAsync(ValidationReport report, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteAsync(Serializer.Serialize(report.ToDocument()).AsMemory(), cancellationToken);
    }
}
