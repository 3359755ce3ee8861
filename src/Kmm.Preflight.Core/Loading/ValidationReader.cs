using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Loading;

/// <summary>Maps <c>PreflightValidation</c> and <c>PreflightValidationOCP</c> objects.</summary>
internal static class ValidationReader
{
    public static PreflightValidation ReadPreflightValidation(NodeReader root, string name, string @namespace, string apiVersion)
    {
        var spec = root.Mapping("spec") ?? throw root.Error("spec", "is required");
        return new PreflightValidation
        {
            Name = name,
            Namespace = @namespace,
            ApiVersion = apiVersion,
            KernelVersion = spec.RequiredString("kernelVersion"),
            PushBuiltImage = spec.Bool("pushBuiltImage") ?? false,
        };
    }

    public static PreflightValidationOcp ReadPreflightValidationOcp(NodeReader root, string name, string @namespace, string apiVersion)
    {
        var spec = root.Mapping("spec") ?? throw root.Error("spec", "is required");
        var release = spec.String("releaseImage");
        var kernel = spec.String("kernelVersion");
        if (string.IsNullOrEmpty(release) && string.IsNullOrEmpty(kernel))
        {
            throw spec.Error("must set releaseImage (older shape) or kernelVersion (newer shape)");
        }

        return new PreflightValidationOcp
        {
            Name = name,
            Namespace = @namespace,
            ApiVersion = apiVersion,
            ReleaseImage = string.IsNullOrEmpty(release) ? null : release,
            UseRtKernel = spec.Bool("useRTKernel") ?? false,
            KernelVersion = string.IsNullOrEmpty(kernel) ? null : kernel,
            DtkImage = spec.String("dtkImage"),
            PushBuiltImage = spec.Bool("pushBuiltImage") ?? false,
        };
    }
}
