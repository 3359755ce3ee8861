using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Core.Stages;

/// <summary>
/// Builds a <see cref="ValidationPipeline"/>: add, replace or remove the stage of each place (Image, Build, Sign).
/// Stage options are validated when a stage is added (all problems of one options object reported together); the
/// built pipeline is immutable.
/// </summary>
public sealed class ValidationPipelineBuilder
{
    private readonly Dictionary<VerificationStage, IModuleValidationStage> _stages = [];

    /// <summary>Adds <paramref name="stage"/> at its place.</summary>
    /// <exception cref="ArgumentException">The place is not Image, Build or Sign, or already has a stage (use <see cref="ReplaceStage"/>).</exception>
    public ValidationPipelineBuilder AddStage(IModuleValidationStage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        CheckPlace(stage.Stage);
        if (_stages.TryGetValue(stage.Stage, out var existing))
        {
            throw new ArgumentException($"the pipeline already has a {stage.Stage} stage ({existing.GetType().Name}); use ReplaceStage to swap it", nameof(stage));
        }

        _stages[stage.Stage] = stage;
        return this;
    }

    /// <summary>Puts <paramref name="stage"/> at its place, replacing what was there.</summary>
    /// <exception cref="ArgumentException">The place is not Image, Build or Sign.</exception>
    public ValidationPipelineBuilder ReplaceStage(IModuleValidationStage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        CheckPlace(stage.Stage);
        _stages[stage.Stage] = stage;
        return this;
    }

    /// <summary>Removes the stage at <paramref name="place"/>, if any; a module that needs it then fails with a reason saying so.</summary>
    public ValidationPipelineBuilder RemoveStage(VerificationStage place)
    {
        _stages.Remove(place);
        return this;
    }

    /// <summary>Builds the immutable pipeline.</summary>
    /// <exception cref="InvalidOperationException">No Image stage was added.</exception>
    public ValidationPipeline Build()
    {
        if (!_stages.ContainsKey(VerificationStage.Image))
        {
            throw new InvalidOperationException("a validation pipeline needs an Image stage: call AddImageStage or AddStage");
        }

        return new ValidationPipeline(new Dictionary<VerificationStage, IModuleValidationStage>(_stages).AsReadOnly());
    }

    /// <summary>Throws one exception listing every problem, when there are any.</summary>
    /// <exception cref="ArgumentException">Some options are invalid.</exception>
    internal static void ThrowIfInvalid(string what, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid {what}: {string.Join("; ", errors)}");
        }
    }

    private static void CheckPlace(VerificationStage place)
    {
        if (place is not (VerificationStage.Image or VerificationStage.Build or VerificationStage.Sign))
        {
            throw new ArgumentException($"{place} is not a stage place: use Image, Build or Sign", nameof(place));
        }
    }
}
