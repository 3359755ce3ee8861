using System.Text.Json;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Testing.Engines;

/// <summary>
/// A base image with a shell for test builds: busybox-static's <c>/bin/busybox</c> with its applets linked in
/// <c>/bin</c> (busybox has <c>depmod</c>), and real modules under <c>/src</c> for the Dockerfile to install
/// (<c>/src/dummy.ko</c>, <c>/src/veth.ko</c>).
/// </summary>
public static class BusyboxBaseImage
{
    /// <summary>busybox-static's binary.</summary>
    public const string BusyboxPath = "/bin/busybox";

    private static readonly string[] Applets = ["sh", "cat", "cp", "mkdir", "ls", "echo", "rm", "mv", "test", "true", "false", "depmod", "grep", "find", "sed", "tar", "touch", "ln", "wc", "head", "tail", "sleep", "env", "uname"];

    /// <summary>
    /// Pushes the image with a config that has a history entry per layer, as every real image has: buildah (podman)
    /// refuses to commit on top of a base whose history lists fewer layers than it has.
    /// </summary>
    /// <exception cref="RegistryException">The registry refused the push.</exception>
    public static async Task PushAsync(RegistryClient client, ImageReference reference)
    {
        var layers = Layers();
        foreach (var layer in layers)
        {
            await client.PushBlobAsync(reference, layer.Digest, layer.Content);
        }

        var config = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new Dictionary<string, object> { ["Env"] = new[] { "PATH=/bin" } },
            ["rootfs"] = new Dictionary<string, object> { ["type"] = "layers", ["diff_ids"] = layers.Select(l => l.DiffId().ToString()).ToList() },
            ["history"] = layers.Select((_, i) => new Dictionary<string, string> { ["created_by"] = $"test layer {i}" }).ToList(),
        });
        var configDigest = Digest.Sha256(config);
        await client.PushBlobAsync(reference, configDigest, config);
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaType.OciManifest.Value,
            ["config"] = new Dictionary<string, object> { ["mediaType"] = MediaType.OciConfig.Value, ["digest"] = configDigest.ToString(), ["size"] = config.Length },
            ["layers"] = layers.Select(l => new Dictionary<string, object> { ["mediaType"] = l.MediaType.Value, ["digest"] = l.Digest.ToString(), ["size"] = l.Content.Length }).ToList(),
        });
        await client.PushManifestAsync(reference, MediaType.OciManifest, manifest);
    }

    /// <summary>The two layers: the shell, then the module sources.</summary>
    public static IReadOnlyList<TestLayer> Layers()
    {
        var shell = new LayerBuilder().WithParentDirectories()
            .AddFile("bin/busybox", File.ReadAllBytes(BusyboxPath), LayerBuilder.DefaultDirectoryMode)
            .AddDirectory("tmp")
            .AddDirectory("etc")
            .AddFile("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
        foreach (var applet in Applets)
        {
            shell.AddSymlink($"bin/{applet}", "busybox");
        }

        var sources = new LayerBuilder().WithParentDirectories()
            .AddFile("src/dummy.ko", RepositoryTestData.Module("dummy.ko"))
            .AddFile("src/veth.ko", RepositoryTestData.Module("veth.ko"));
        return [Layer(shell), Layer(sources)];
    }

    private static TestLayer Layer(LayerBuilder builder) => new(builder.Build(LayerCompression.Gzip).Content!, MediaType.OciLayerGzip);
}
