using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Core.Stages;

/// <summary>The pipeline's verdict for one module.</summary>
public sealed record PipelineOutcome
{
    /// <summary>Whether the module is verified.</summary>
    public required bool Verified { get; init; }

    /// <summary>The deciding stage's reason.</summary>
    public required string Reason { get; init; }

    /// <summary>The stage whose result decided the verdict.</summary>
    public required VerificationStage DecidedBy { get; init; }

    /// <summary>Every stage result, in the order the stages ran.</summary>
    public required IReadOnlyList<StageResult> StageResults { get; init; }
}
