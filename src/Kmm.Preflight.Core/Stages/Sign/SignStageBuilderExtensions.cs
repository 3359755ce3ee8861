namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>Adds the Sign stage to a <see cref="ValidationPipelineBuilder"/>.</summary>
public static class SignStageBuilderExtensions
{
    /// <summary>
    /// Adds the Sign stage. In this version it is a placeholder: a module whose mapping has <c>sign</c> and whose
    /// image fails the Image checks gets status False saying the Sign stage is not available.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (all problems listed).</exception>
    public static ValidationPipelineBuilder AddSignStage(this ValidationPipelineBuilder builder, SignStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ValidationPipelineBuilder.ThrowIfInvalid("Sign stage options", SignStageOptionsValidator.Validate(options));
        return builder.AddStage(new SignStagePlaceholder(options));
    }
}
