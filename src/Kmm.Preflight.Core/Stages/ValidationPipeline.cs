using Kmm.Preflight.Core.Stages.Build;
using Kmm.Preflight.Core.Stages.Image;
using Kmm.Preflight.Core.Stages.Sign;
using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Core.Stages;

/// <summary>
/// The preflight stages in KMM's order, immutable once built: Image first (verified if it passes); else Build when
/// the mapping has <c>build</c>, then Sign when it has <c>sign</c> (input: the built image, else
/// <c>unsignedImage</c>); else the Image reason stands.
/// </summary>
public sealed partial class ValidationPipeline
{
    private readonly IReadOnlyDictionary<VerificationStage, IModuleValidationStage> _stages;

    internal ValidationPipeline(IReadOnlyDictionary<VerificationStage, IModuleValidationStage> stages)
    {
        _stages = stages;
    }

    /// <summary>The stages, by place.</summary>
    public IReadOnlyDictionary<VerificationStage, IModuleValidationStage> Stages => _stages;

    /// <summary>The default pipeline: the Image, Build and Sign stages with default options.</summary>
    public static ValidationPipeline CreateDefault() => new ValidationPipelineBuilder()
        .AddImageStage(new ImageStageOptions())
        .AddBuildStage(new BuildStageOptions())
        .AddSignStage(new SignStageOptions())
        .Build();
}
