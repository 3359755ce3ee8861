namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>Adds the Build stage to a <see cref="ValidationPipelineBuilder"/>.</summary>
public static class BuildStageBuilderExtensions
{
    /// <summary>
    /// Adds the Build stage. In this version it is a placeholder: a module whose mapping has <c>build</c> and whose
    /// image fails the Image checks gets status False saying the Build stage is not available.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (all problems listed).</exception>
    public static ValidationPipelineBuilder AddBuildStage(this ValidationPipelineBuilder builder, BuildStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ValidationPipelineBuilder.ThrowIfInvalid("Build stage options", BuildStageOptionsValidator.Validate(options));
        return builder.AddStage(new BuildStagePlaceholder(options));
    }
}
