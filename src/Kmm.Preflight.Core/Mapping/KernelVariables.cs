namespace Kmm.Preflight.Core.Mapping;

/// <summary>The variables KMM offers in image references and paths for one kernel and module.</summary>
public static class KernelVariables
{
    /// <summary>
    /// The variables for an image reference: the kernel normalised (<see cref="KernelRelease.Normalised"/>), and
    /// <c>MOD_NAME</c>/<c>MOD_NAMESPACE</c> when <paramref name="moduleName"/> is given (only <c>containerImage</c> has them).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ForImage(KernelRelease kernel, string? moduleName = null, string? moduleNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var variables = Build(kernel, KernelRelease.Normalise);
        if (moduleName is not null)
        {
            variables["MOD_NAME"] = moduleName;
            variables["MOD_NAMESPACE"] = moduleNamespace ?? string.Empty;
        }

        return variables;
    }

    /// <summary>The variables for a path (<c>filesToSign</c>): the kernel as it is.</summary>
    public static IReadOnlyDictionary<string, string> ForPath(KernelRelease kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        return Build(kernel, v => v);
    }

    private static Dictionary<string, string> Build(KernelRelease kernel, Func<string, string> map) => new(StringComparer.Ordinal)
    {
        ["KERNEL_FULL_VERSION"] = map(kernel.Full),
        ["KERNEL_VERSION"] = map(kernel.Full),
        ["KERNEL_XYZ"] = map(kernel.Xyz),
        ["KERNEL_X"] = map(kernel.X),
        ["KERNEL_Y"] = map(kernel.Y),
        ["KERNEL_Z"] = map(kernel.Z),
    };
}
