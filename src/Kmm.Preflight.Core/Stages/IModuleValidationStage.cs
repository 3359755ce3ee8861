using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Core.Stages;

/// <summary>
/// One stage of the preflight pipeline (Image, Build or Sign). Library users implement it to plug in their own
/// check, build or signer, and put it in the pipeline with <see cref="ValidationPipelineBuilder.ReplaceStage"/>.
/// </summary>
public interface IModuleValidationStage
{
    /// <summary>Which place in the pipeline this stage fills.</summary>
    VerificationStage Stage { get; }

    /// <summary>Validates one module; failures to validate are returned as a failed result with a reason, not thrown.</summary>
    Task<StageResult> ValidateAsync(StageContext context, CancellationToken cancellationToken = default);
}
