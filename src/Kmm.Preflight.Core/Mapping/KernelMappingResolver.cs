using System.Text.RegularExpressions;
using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Mapping;

/// <summary>
/// Chooses the kernel mapping of a Module for a kernel (first match wins; <c>literal</c> exact, <c>regexp</c> an
/// unanchored match) and applies KMM's inheritance and variable rules.
/// </summary>
public static class KernelMappingResolver
{
    /// <summary>How long one regexp match may take.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Resolves what to check for <paramref name="module"/> on <paramref name="kernel"/>.</summary>
    /// <exception cref="ArgumentException">The module has no module loader.</exception>
    public static MappingResolution Resolve(Module module, KernelRelease kernel)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(kernel);
        var container = module.Container ?? throw new ArgumentException($"{module.Id} has no moduleLoader", nameof(module));
        for (var i = 0; i < container.KernelMappings.Count; i++)
        {
            var mapping = container.KernelMappings[i];
            bool matches;
            try
            {
                matches = Matches(mapping, kernel.Full);
            }
            catch (ArgumentException ex)
            {
                return Fail($"kernelMappings[{i}].regexp '{mapping.Regexp}' of {module.Id} is not a valid regular expression ({ex.Message}); fix the Module");
            }
            catch (RegexMatchTimeoutException)
            {
                return Fail($"kernelMappings[{i}].regexp '{mapping.Regexp}' of {module.Id} took too long to match kernel {kernel}; simplify the expression");
            }

            if (matches)
            {
                try
                {
                    return new MappingResolution { Mapping = Inherit(module, container, mapping, i, kernel) };
                }
                catch (FormatException ex)
                {
                    return Fail($"kernelMappings[{i}] of {module.Id} has invalid variable syntax: {ex.Message}; fix the Module");
                }
            }
        }

        return Fail($"no kernel mapping of {module.Id} matches kernel {kernel}; add a kernelMappings entry (literal or regexp) for it");
    }

    private static bool Matches(KernelMapping mapping, string kernel) => mapping.Literal is not null
        ? mapping.Literal == kernel
        : mapping.Regexp is not null && Regex.IsMatch(kernel, mapping.Regexp, RegexOptions.None, RegexTimeout);

    private static ResolvedMapping Inherit(Module module, ModuleLoaderContainer container, KernelMapping mapping, int index, KernelRelease kernel)
    {
        var imageTemplate = mapping.ContainerImage ?? container.ContainerImage
            ?? throw new FormatException("no containerImage in the mapping or the container");
        var imageVariables = KernelVariables.ForImage(kernel, module.Name, module.Namespace);
        var sign = MergeSign(container.Sign, mapping.Sign);
        if (sign is not null)
        {
            var unsignedVariables = KernelVariables.ForImage(kernel);
            var pathVariables = KernelVariables.ForPath(kernel);
            sign = sign with
            {
                UnsignedImage = sign.UnsignedImage is null ? null : VariableExpander.Expand(sign.UnsignedImage, unsignedVariables),
                FilesToSign = [.. sign.FilesToSign.Select(f => VariableExpander.Expand(f, pathVariables))],
            };
        }

        return new ResolvedMapping
        {
            Module = module,
            Kernel = kernel,
            MappingIndex = index,
            Mapping = mapping,
            Modprobe = container.Modprobe,
            ContainerImage = VariableExpander.Expand(imageTemplate, imageVariables),
            RegistryTls = mapping.RegistryTls ?? container.RegistryTls,
            Build = MergeBuild(container.Build, mapping.Build),
            Sign = sign,
            InTreeModulesToRemove = mapping.InTreeModulesToRemove ?? container.InTreeModulesToRemove ?? [],
        };
    }

    /// <summary>KMM's build merge: the container's, then the mapping's Dockerfile, args by name (mapping wins), secrets appended.</summary>
    internal static BuildSpec? MergeBuild(BuildSpec? container, BuildSpec? mapping)
    {
        if (container is null || mapping is null)
        {
            return mapping ?? container;
        }

        var args = container.BuildArgs.ToList();
        foreach (var arg in mapping.BuildArgs)
        {
            var at = args.FindIndex(a => a.Name == arg.Name);
            if (at >= 0)
            {
                args[at] = arg;
            }
            else
            {
                args.Add(arg);
            }
        }

        return container with
        {
            DockerfileConfigMap = mapping.DockerfileConfigMap ?? container.DockerfileConfigMap,
            BuildArgs = args,
            Secrets = [.. container.Secrets, .. mapping.Secrets],
            BaseImageRegistryTls = mapping.BaseImageRegistryTls ?? container.BaseImageRegistryTls,
        };
    }

    /// <summary>KMM's sign merge: the mapping's unsigned image, key and cert override when set; files appended.</summary>
    internal static SignSpec? MergeSign(SignSpec? container, SignSpec? mapping)
    {
        if (container is null || mapping is null)
        {
            return mapping ?? container;
        }

        return container with
        {
            UnsignedImage = mapping.UnsignedImage ?? container.UnsignedImage,
            UnsignedImageRegistryTls = mapping.UnsignedImageRegistryTls ?? container.UnsignedImageRegistryTls,
            KeySecret = mapping.KeySecret ?? container.KeySecret,
            CertSecret = mapping.CertSecret ?? container.CertSecret,
            FilesToSign = [.. container.FilesToSign, .. mapping.FilesToSign],
        };
    }

    private static MappingResolution Fail(string reason) => new() { FailureReason = reason };
}
