namespace Kmm.Preflight.Oci.Telemetry;

/// <summary>
/// The names under which Kmm.Preflight reports traces and metrics through <c>System.Diagnostics</c>, for an embedder to
/// subscribe to (OpenTelemetry's <c>AddSource</c> and <c>AddMeter</c>, an <c>ActivityListener</c> or a
/// <c>MeterListener</c>). Nothing is recorded, and nothing allocated, while nobody listens.
/// </summary>
/// <remarks>The span, instrument and attribute names are listed in <c>docs/packaging.md</c>.</remarks>
public static class KmmPreflightTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of every span.</summary>
    /// <value><c>Kmm.Preflight</c>.</value>
    public const string ActivitySourceName = "Kmm.Preflight";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> of every instrument.</summary>
    /// <value><c>Kmm.Preflight</c>.</value>
    public const string MeterName = "Kmm.Preflight";
}
