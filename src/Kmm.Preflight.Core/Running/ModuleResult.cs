using Kmm.Preflight.Core.Mapping;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Core.Running;

/// <summary>The full result for one module: the CRD status and everything behind it.</summary>
public sealed record ModuleResult
{
    /// <summary>The Module.</summary>
    public required Module Module { get; init; }

    /// <summary>The status entry, as the CRD's <c>status.modules[]</c>.</summary>
    public required ModuleStatus Status { get; init; }

    /// <summary>The stage that decided the verdict, or null when no stage ran (nothing to validate, no mapping, missing secret).</summary>
    public VerificationStage? DecidedBy { get; init; }

    /// <summary>The resolved mapping, when one matched.</summary>
    public ResolvedMapping? Mapping { get; init; }

    /// <summary>Every stage result, in the order the stages ran.</summary>
    public IReadOnlyList<StageResult> StageResults { get; init; } = [];

    /// <summary>What the Image stage found (image digest, module path and layer, modinfo, signature, bytes read), when it ran.</summary>
    public ImageInspection? Image => StageResults.FirstOrDefault(r => r.Stage == VerificationStage.Image)?.Image;

    /// <summary>Every check made, across stages.</summary>
    public IReadOnlyList<CheckResult> Checks => [.. StageResults.SelectMany(r => r.Checks)];
}
