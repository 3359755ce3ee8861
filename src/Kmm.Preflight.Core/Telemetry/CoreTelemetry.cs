using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Oci.Telemetry;

namespace Kmm.Preflight.Core.Telemetry;

/// <summary>
/// The spans and instruments of the validation: one span per module and per stage, and the verdicts. Same source and
/// meter names as the OCI layer's (<see cref="KmmPreflightTelemetry"/>), so one subscription sees everything; each
/// hook costs a branch when nobody listens.
/// </summary>
internal static class CoreTelemetry
{
    public const string ModuleSpan = "kmm.preflight.module.validate";
    public const string StageSpan = "kmm.preflight.stage.run";

    public const string ModuleTag = "kmm.preflight.module";
    public const string KernelTag = "kmm.preflight.kernel";
    public const string StageTag = "kmm.preflight.stage";
    public const string StatusTag = "kmm.preflight.verification_status";
    public const string ReasonTag = "kmm.preflight.status_reason";

    private static readonly string? Version = typeof(CoreTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(KmmPreflightTelemetry.ActivitySourceName, Version);

    private static readonly Meter Meter = new(KmmPreflightTelemetry.MeterName, Version);

    public static readonly Counter<long> Verdicts = Meter.CreateCounter<long>(
        "kmm.preflight.verdicts", "{module}", "Final verdicts on modules, by the stage that decided (Image, Build, Sign) and verification status (True, False).");

    /// <summary>Starts the span of validating one module; null when nobody listens.</summary>
    public static Activity? StartModule(Module module, PreflightTarget target)
    {
        var activity = Source.StartActivity(ModuleSpan, ActivityKind.Internal);
        activity?.SetTag(ModuleTag, $"{module.Namespace}/{module.Name}").SetTag(KernelTag, target.Kernel.Full);
        return activity;
    }

    /// <summary>Starts the span of one stage for one module; null when nobody listens.</summary>
    public static Activity? StartStage(VerificationStage stage, StageContext context)
    {
        var activity = Source.StartActivity(StageSpan, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.DisplayName = $"{StageSpan} {NameOf(stage)}";
            activity.SetTag(StageTag, NameOf(stage)).SetTag(ModuleTag, $"{context.Mapping.Module.Namespace}/{context.Mapping.Module.Name}");
        }

        return activity;
    }

    /// <summary>Puts a stage's verdict on its span.</summary>
    public static void StageEnded(Activity? activity, StageResult result) =>
        activity?.SetTag(StatusTag, result.Verified ? "True" : "False").SetTag(ReasonTag, result.Reason);

    /// <summary>
    /// Counts a module's final verdict and puts it on the module's span; returns <paramref name="result"/>. The stage is
    /// <c>none</c> when no stage ran (nothing to validate, no kernel mapping, an unusable pull secret).
    /// </summary>
    public static ModuleResult Verdict(Activity? activity, ModuleResult result)
    {
        var status = result.Status.Verified ? "True" : "False";
        var stage = result.DecidedBy is { } decidedBy ? NameOf(decidedBy) : "none";
        activity?.SetTag(StageTag, stage).SetTag(StatusTag, status);
        if (Verdicts.Enabled)
        {
            Verdicts.Add(1, new KeyValuePair<string, object?>(StageTag, stage), new KeyValuePair<string, object?>(StatusTag, status));
        }

        return result;
    }

    /// <summary>Marks <paramref name="activity"/> failed; returns false, to be used as an exception filter that never catches.</summary>
    public static bool Failed(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.SetTag("error.type", exception.GetType().FullName);
        }

        return false;
    }

    /// <summary>The attribute value of a stage, as the CRD spells it (constant strings: no allocation).</summary>
    public static string NameOf(VerificationStage stage) => stage switch
    {
        VerificationStage.Image => "Image",
        VerificationStage.Build => "Build",
        VerificationStage.Sign => "Sign",
        VerificationStage.Requeued => "Requeued",
        VerificationStage.Done => "Done",
        _ => "Unknown",
    };
}
