namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>Adds the Sign stage to a <see cref="ValidationPipelineBuilder"/>.</summary>
public static class SignStageBuilderExtensions
{
    /// <summary>
    /// Adds the Sign stage: it signs the files of <c>filesToSign</c> in its input image (the built image, else
    /// <c>unsignedImage</c>) with the key and certificate of the module's Secrets, exactly as the kernel's
    /// <c>sign-file</c> does, adds them to the image as one layer, runs the Image checks on the result and verifies every
    /// signature against the certificate. The signed image is pushed to the mapped <c>containerImage</c> only when
    /// <c>pushBuiltImage</c> is set.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (all problems listed).</exception>
    public static ValidationPipelineBuilder AddSignStage(this ValidationPipelineBuilder builder, SignStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ValidationPipelineBuilder.ThrowIfInvalid("Sign stage options", SignStageOptionsValidator.Validate(options));
        return builder.AddStage(new SignStage(options));
    }
}
