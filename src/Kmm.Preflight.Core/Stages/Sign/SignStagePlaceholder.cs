using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>
/// Holds the Sign stage's place until it is implemented: a module that needs signing fails with a reason saying
/// the Sign stage is not available (never a silent pass). Replace it with a real stage through
/// <see cref="ValidationPipelineBuilder.ReplaceStage"/>.
/// </summary>
internal sealed class SignStagePlaceholder : IModuleValidationStage
{
    public SignStagePlaceholder(SignStageOptions options)
    {
        Options = options;
    }

    public SignStageOptions Options { get; }

    public VerificationStage Stage => VerificationStage.Sign;

    public Task<StageResult> ValidateAsync(StageContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mapping = context.Mapping;
        var input = context.InputImage ?? "(no unsignedImage)";
        var reason = $"the Sign stage is not available in this version of kmm-preflight, so {mapping.Module.Id} ({mapping.Describe()}) cannot be signed from {input} for kernel {mapping.Kernel}"
            + $"; push a signed image to {mapping.ContainerImage} or plug in a Sign stage";
        return Task.FromResult(StageResult.Fail(VerificationStage.Sign, reason, [new CheckResult("sign", CheckOutcome.Skipped, "the Sign stage is a placeholder in this version")]));
    }
}
