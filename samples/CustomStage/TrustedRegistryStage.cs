using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Status;

namespace CustomStage;

/// <summary>
/// An Image stage of our own: refuses images from registries outside an allow list, then lets the library's Image
/// stage do the real checks (presence, vermagic, modules.dep, signature).
/// </summary>
internal sealed class TrustedRegistryStage(IModuleValidationStage inner, IReadOnlySet<string> trustedRegistries) : IModuleValidationStage
{
    public VerificationStage Stage => VerificationStage.Image;

    public Task<StageResult> ValidateAsync(StageContext context, CancellationToken cancellationToken = default)
    {
        var image = context.InputImage ?? context.Mapping.ContainerImage;
        var registry = image.Split('/')[0];
        if (!trustedRegistries.Contains(registry))
        {
            return Task.FromResult(StageResult.Fail(Stage,
                $"image {image} of {context.Mapping.Module.Id} is not from a trusted registry ({string.Join(", ", trustedRegistries)})"));
        }

        return inner.ValidateAsync(context, cancellationToken);
    }
}
