using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Core.Telemetry;

namespace Kmm.Preflight.Core.Stages;

/// <content>Running the stages for one module.</content>
public sealed partial class ValidationPipeline
{
    /// <summary>Runs the stages for the module in <paramref name="context"/>.</summary>
    public async Task<PipelineOutcome> RunAsync(StageContext context, IProgress<VerificationStage>? stageProgress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = new List<StageResult>();
        var mapping = context.Mapping;
        _stages.TryGetValue(VerificationStage.Image, out var imageChecks);
        context = context with { ImageChecks = context.ImageChecks ?? imageChecks, Input = null };

        var image = await RunStageAsync(VerificationStage.Image, context with { InputImage = mapping.ContainerImage }, results, stageProgress, cancellationToken);
        if (image.Verified)
        {
            return Outcome(image, results);
        }

        string? signInput = null;
        Oci.Sources.ResolvedImage? built = null;
        if (mapping.Build is not null)
        {
            var build = await RunStageAsync(VerificationStage.Build, context with { InputImage = mapping.ContainerImage }, results, stageProgress, cancellationToken);
            if (!build.Verified || mapping.Sign is null)
            {
                return Outcome(build, results);
            }

            // The built image goes to Sign as it is, pushed or not: it may exist only in memory or on disk.
            signInput = build.PushedImage ?? mapping.ContainerImage;
            built = build.ProducedImage;
        }

        if (mapping.Sign is not null)
        {
            var sign = await RunStageAsync(VerificationStage.Sign, context with { InputImage = signInput ?? mapping.Sign.UnsignedImage, Input = built }, results, stageProgress, cancellationToken);
            return Outcome(sign, results);
        }

        return Outcome(image, results);
    }

    private async Task<StageResult> RunStageAsync(VerificationStage stage, StageContext context, List<StageResult> results, IProgress<VerificationStage>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(stage);
        using var activity = CoreTelemetry.StartStage(stage, context);
        StageResult result;
        if (!_stages.TryGetValue(stage, out var implementation))
        {
            result = StageResult.Fail(stage, $"module {context.Mapping.Module.Id} needs the {stage} stage ({context.Mapping.Describe()}), but this pipeline has none; add one to the pipeline");
        }
        else
        {
            try
            {
                result = await implementation.ValidateAsync(context with { Previous = results.ToList() }, cancellationToken)
                    ?? throw new InvalidOperationException($"the {stage} stage {implementation.GetType().Name} returned no result");
            }
            catch (Exception ex) when (CoreTelemetry.Failed(activity, ex))
            {
                throw; // never reached: the filter only records the failure on the span
            }
        }

        CoreTelemetry.StageEnded(activity, result);

        results.Add(result);
        return result;
    }

    private static PipelineOutcome Outcome(StageResult deciding, List<StageResult> results) => new()
    {
        Verified = deciding.Verified,
        Reason = deciding.Reason,
        DecidedBy = deciding.Stage,
        StageResults = results,
    };
}
