namespace Kmm.Preflight.Core.Stages.Image;

/// <summary>Adds the Image stage to a <see cref="ValidationPipelineBuilder"/>.</summary>
public static class ImageStageBuilderExtensions
{
    /// <summary>Adds the Image stage: checks that the mapped image holds the module where modprobe finds it for the kernel.</summary>
    /// <exception cref="ArgumentException">The options are invalid (all problems listed).</exception>
    public static ValidationPipelineBuilder AddImageStage(this ValidationPipelineBuilder builder, ImageStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ValidationPipelineBuilder.ThrowIfInvalid("Image stage options", ImageStageOptionsValidator.Validate(options));
        return builder.AddStage(new ImageStage(options));
    }
}
