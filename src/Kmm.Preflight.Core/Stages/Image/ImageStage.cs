using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Status;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Stages.Image;

/// <summary>
/// The Image stage: the mapped image must hold the module where <c>modprobe -d dirName</c> finds it for the
/// kernel, in the image's final filesystem, built for that kernel (vermagic), listed in <c>modules.dep</c>, with
/// the modules of <c>modulesLoadingOrder</c> and the firmware directory present. The signature is reported.
/// </summary>
internal sealed partial class ImageStage : IModuleValidationStage
{
    public ImageStage(ImageStageOptions options)
    {
        Options = options;
    }

    public ImageStageOptions Options { get; }

    public VerificationStage Stage => VerificationStage.Image;

    public async Task<StageResult> ValidateAsync(StageContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mapping = context.Mapping;
        var reference = context.InputImage ?? mapping.ContainerImage;
        var kernelDirectory = ImagePaths.KernelDirectory(mapping.Modprobe.DirName, mapping.Kernel.Full);
        IImageFiles files;
        try
        {
            // An image handed on by an earlier stage is opened as it is (it may exist nowhere else); the reference names it.
            files = await context.Images.OpenAsync(context.RequestFor(reference, mapping.RegistryTls) with { Image = context.Input }, cancellationToken);
        }
        catch (ImageAccessException ex)
        {
            var reason = OpenFailureReason(context, reference, ex);
            return StageResult.Fail(VerificationStage.Image, reason, [new CheckResult("image", CheckOutcome.Failed, reason)]) with
            {
                Image = new ImageInspection { Reference = reference, KernelDirectory = kernelDirectory },
            };
        }

        var inspection = new Inspection(this, context, files, reference, kernelDirectory);
        try
        {
            return await inspection.RunAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.Logger?.LogDebug(ex, "reading image {Image} failed", reference);
            var failure = ex as ImageAccessException ?? RegistryImageOpener.Classify(reference, ex);
            var reason = failure.Failure == ImageAccessFailure.Unauthorized
                ? OpenFailureReason(context, reference, failure)
                : $"could not read the layers of image {reference} ({failure.Message.TrimEnd('.')}); check that the registry serves every layer of the image";
            return inspection.Fail(reason);
        }
    }

    private static string OpenFailureReason(StageContext context, string reference, ImageAccessException ex)
    {
        var detail = ex.Message.TrimEnd('.');
        var mapping = context.Mapping;
        return ex.Failure switch
        {
            ImageAccessFailure.NotFound => $"image {reference} not found ({detail}); push an image with module {mapping.Modprobe.ModuleName} for kernel {mapping.Kernel} there or fix containerImage in {mapping.Describe()}",
            ImageAccessFailure.Unauthorized => $"the registry refused access to image {reference} ({detail}); "
                + (mapping.Module.ImageRepoSecret is { } secret ? $"check that imageRepoSecret {secret} has valid credentials for it" : "set spec.imageRepoSecret or give an auth file with credentials for it"),
            ImageAccessFailure.Invalid => $"image {reference} could not be used ({detail}); fix the reference in {mapping.Describe()} or the image",
            _ => $"could not reach the registry of image {reference} ({detail}); check the address, the network and registryTLS",
        };
    }
}
