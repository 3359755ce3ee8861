namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>Adds the Build stage to a <see cref="ValidationPipelineBuilder"/>.</summary>
public static class BuildStageBuilderExtensions
{
    /// <summary>
    /// Adds the Build stage: a module whose image fails the Image checks and whose mapping has <c>build</c> is built
    /// through the container engine at <see cref="BuildStageOptions.EngineHost"/> (dockerd or podman), verified with
    /// the Image checks, and pushed to its <c>containerImage</c> only with <c>pushBuiltImage</c>. The engine is first
    /// contacted when a module needs a build.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (all problems listed).</exception>
    public static ValidationPipelineBuilder AddBuildStage(this ValidationPipelineBuilder builder, BuildStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ValidationPipelineBuilder.ThrowIfInvalid("Build stage options", BuildStageOptionsValidator.Validate(options));
        return builder.AddStage(new BuildStage(options));
    }
}
