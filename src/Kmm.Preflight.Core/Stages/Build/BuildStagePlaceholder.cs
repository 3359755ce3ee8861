using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>
/// Holds the Build stage's place until it is implemented: a module that needs a build fails with a reason saying
/// the Build stage is not available (never a silent pass). Replace it with a real stage through
/// <see cref="ValidationPipelineBuilder.ReplaceStage"/>.
/// </summary>
internal sealed class BuildStagePlaceholder : IModuleValidationStage
{
    public BuildStagePlaceholder(BuildStageOptions options)
    {
        Options = options;
    }

    public BuildStageOptions Options { get; }

    public VerificationStage Stage => VerificationStage.Build;

    public Task<StageResult> ValidateAsync(StageContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mapping = context.Mapping;
        var imageReason = context.Previous.Count > 0 ? context.Previous[^1].Reason : null;
        var reason = $"the Build stage is not available in this version of kmm-preflight, so {mapping.Module.Id} ({mapping.Describe()}) cannot be built for kernel {mapping.Kernel}"
            + (imageReason is null ? string.Empty : $" after the Image check failed ({imageReason.TrimEnd('.')})")
            + $"; push a prebuilt image to {mapping.ContainerImage} or plug in a Build stage";
        return Task.FromResult(StageResult.Fail(VerificationStage.Build, reason, [new CheckResult(CheckName.Build, CheckOutcome.Skipped, "the Build stage is a placeholder in this version")]));
    }
}
