// Adds a custom stage: `dotnet run -- KERNEL TRUSTED_REGISTRY PATH…` validates as kmm-preflight does, except that
// images from other registries fail the Image stage (TrustedRegistryStage, put in with ReplaceStage).
using CustomStage;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Stages.Build;
using Kmm.Preflight.Core.Stages.Image;
using Kmm.Preflight.Core.Stages.Sign;
using Kmm.Preflight.Core.Status;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: CustomStage KERNEL TRUSTED_REGISTRY PATH…");
    return 2;
}

var defaultImageStage = ValidationPipeline.CreateDefault().Stages[VerificationStage.Image];
var pipeline = new ValidationPipelineBuilder()
    .AddImageStage(new ImageStageOptions())
    .AddBuildStage(new BuildStageOptions())
    .AddSignStage(new SignStageOptions())
    .ReplaceStage(new TrustedRegistryStage(defaultImageStage, new HashSet<string>(StringComparer.OrdinalIgnoreCase) { args[1] }))
    .Build();

var objects = await new ManifestLoader().LoadAsync(args[2..]);
var report = await new PreflightValidator(new PreflightValidatorOptions { Pipeline = pipeline })
    .ValidateAsync(objects, PreflightTarget.ForKernel(args[0]));
foreach (var result in report.Results)
{
    Console.WriteLine($"{result.Status.Namespace}/{result.Status.Name}\t{result.Status.VerificationStatus}\t{result.DecidedBy}\t{result.Status.StatusReason}");
}

return report.Results.All(r => r.Status.Verified) ? 0 : 1;
