using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Core.Tests.Integration;

/// <summary>Builds layers of KMM module images from the real test modules, with depmod's real output.</summary>
internal static class ModuleImageLayers
{
    public static TestLayer ToTestLayer(this LayerBuilder builder, LayerCompression compression = LayerCompression.Gzip)
    {
        var blob = builder.Build(compression);
        return new TestLayer(blob.Content!, blob.MediaTypeFor(ManifestFormat.Oci));
    }

    /// <summary>A layer with <paramref name="files"/> (relative to <c>DIR/lib/modules/KERNEL/</c>) plus modules.dep(.bin) from depmod over them.</summary>
    public static LayerBuilder Modules(Dictionary<string, byte[]> files, string dirName = "opt", bool depmod = true, string kernel = CoreTestData.Kernel)
    {
        var kernelDir = $"{dirName.Trim('/')}/lib/modules/{kernel}/".TrimStart('/');
        var layer = new LayerBuilder().WithParentDirectories();
        foreach (var (path, content) in files)
        {
            layer.AddFile(kernelDir + path, content);
        }

        if (depmod)
        {
            var (text, binary) = DepmodTree.Run(kernel, files);
            layer.AddFile(kernelDir + "modules.dep", text).AddFile(kernelDir + "modules.dep.bin", binary);
        }

        return layer;
    }

    /// <summary>A base layer every test image shares: a few OS files.</summary>
    public static LayerBuilder Base() => new LayerBuilder().WithParentDirectories()
        .AddFile("etc/os-release", "ID=kmm-test\n")
        .AddFile("usr/bin/placeholder", new byte[4096])
        .AddDirectory("opt");
}
