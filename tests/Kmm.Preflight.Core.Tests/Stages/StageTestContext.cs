using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Mapping;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Core.Tests.Stages;

/// <summary>Builds stage contexts for one module and kernel.</summary>
internal static class StageTestContext
{
    public static ResolvedMapping Mapping(ModprobeSpec? modprobe = null, BuildSpec? build = null, SignSpec? sign = null, string image = "reg.example/mods/ptemod:6.1.0-56-amd64")
    {
        var module = new Module
        {
            Name = "ptemod",
            Namespace = "ns",
            Container = new ModuleLoaderContainer
            {
                Modprobe = modprobe ?? new ModprobeSpec { ModuleName = "ptemod" },
                ContainerImage = image,
                KernelMappings = [new KernelMapping { Literal = CoreTestData.Kernel, Build = build, Sign = sign }],
            },
        };
        return KernelMappingResolver.Resolve(module, KernelRelease.Parse(CoreTestData.Kernel)).Mapping!;
    }

    public static StageContext Context(ResolvedMapping mapping, IImageOpener images) => new()
    {
        Mapping = mapping,
        Platform = Platform.Default,
        Images = images,
    };
}
