using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Core.Tests.Integration;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Core.Tests.Faults;

/// <summary>
/// The images the fault tests validate: a base layer, and a module layer whose first entry is 300 kB of random
/// bytes, so a fault "after 100 kB" hits the middle of the layer, before the module, where early exit cannot skip it.
/// </summary>
internal static class FaultImages
{
    public const string Kernel = CoreTestData.Kernel;
    public const int FillerBytes = 300_000;

    public static TestLayer Base { get; } = ModuleImageLayers.Base().ToTestLayer();

    public static TestLayer ModuleLayer { get; } = BuildModuleLayer();

    /// <summary>Pushes the image as <c>REPO/veth:TAG</c> on <paramref name="registry"/>.</summary>
    public static async Task<PushedImage> PushAsync(RegistryProcess registry, string repository, string tag = Kernel)
    {
        using var client = registry.CreateClient();
        return await TestImagePusher.PushImageAsync(client, registry.Reference($"{repository}/veth:{tag}"), [Base, ModuleLayer]);
    }

    /// <summary>A Module that loads veth from <paramref name="image"/> (plain HTTP).</summary>
    public static string Module(string name, string image) => $$"""
        apiVersion: kmm.sigs.x-k8s.io/v1beta1
        kind: Module
        metadata: {name: {{name}}, namespace: faults}
        spec:
          moduleLoader:
            container:
              modprobe:
                moduleName: veth
              kernelMappings:
                - regexp: '^6\.1\.'
                  containerImage: {{image}}
                  registryTLS: {insecure: true}
        ---

        """;

    private static TestLayer BuildModuleLayer()
    {
        var filler = new byte[FillerBytes];
        new Random(14).NextBytes(filler);
        var files = new Dictionary<string, byte[]> { ["extra/veth.ko"] = CoreTestData.Module("veth") };
        var kernelDir = $"opt/lib/modules/{Kernel}/";
        var layer = new LayerBuilder().WithParentDirectories().AddFile("opt/filler.bin", filler);
        foreach (var (path, content) in files)
        {
            layer.AddFile(kernelDir + path, content);
        }

        var (text, binary) = DepmodTree.Run(Kernel, files);
        return layer.AddFile(kernelDir + "modules.dep", text).AddFile(kernelDir + "modules.dep.bin", binary).ToTestLayer();
    }
}
