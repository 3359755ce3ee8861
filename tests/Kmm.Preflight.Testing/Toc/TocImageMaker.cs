using System.Text;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Testing.Toc;

/// <summary>
/// Makes table-of-contents images from an image already in a (plain HTTP) test registry, with independent tools:
/// skopeo for zstd:chunked, containerd + <c>ctr-remote</c> for eStargz. Never with our own code.
/// </summary>
public static class TocImageMaker
{
    /// <summary>The zstd:chunked annotation family skopeo 1.9 writes.</summary>
    public const string LegacyZstdChunkedPrefix = "io.containers.zstd-chunked.";

    /// <summary>The current zstd:chunked annotation family.</summary>
    public const string ZstdChunkedPrefix = "io.github.containers.zstd-chunked.";

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> (both <c>repo:tag</c>) as zstd:chunked with skopeo.</summary>
    /// <remarks>
    /// Through a fresh OCI layout: copying registry to registry, skopeo may reuse the gzip blob it knows the registry
    /// has (its blob-info cache) instead of compressing, which leaves a gzip layer. Into an empty layout it must compress.
    /// </remarks>
    public static async Task<ImageReference> ZstdChunkedAsync(RegistryProcess registry, string source, string target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var layout = Directory.CreateTempSubdirectory("kmm-zstd-chunked-").FullName;
        try
        {
            await TocTools.RunAsync("skopeo", ["copy", "--quiet", "--src-tls-verify=false", "--dest-compress-format", "zstd:chunked",
                $"docker://{registry.Host}/{source}", $"oci:{layout}:chunked"], cancellationToken);
            await TocTools.RunAsync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", $"oci:{layout}:chunked", $"docker://{registry.Host}/{target}"], cancellationToken);
        }
        finally
        {
            Directory.Delete(layout, recursive: true);
        }

        return registry.Reference(target);
    }

    /// <summary>Converts <paramref name="source"/> to eStargz as <paramref name="target"/> with <c>ctr-remote images convert --estargz --oci</c>.</summary>
    public static async Task<ImageReference> EstargzAsync(RegistryProcess registry, string source, string target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        TocTools.Require("ctr-remote");
        await using var containerd = await ContainerdProcess.StartAsync(cancellationToken);
        var from = $"{registry.Host}/{source}";
        var to = $"{registry.Host}/{target}";
        await containerd.CtrAsync(["images", "pull", "--plain-http", from], cancellationToken);
        await containerd.CtrRemoteAsync(["images", "convert", "--estargz", "--oci", from, to], cancellationToken);
        await containerd.CtrAsync(["images", "push", "--plain-http", to], cancellationToken);
        return registry.Reference(target);
    }

    /// <summary>
    /// Pushes a copy of <paramref name="source"/>'s manifest as <paramref name="target"/> with <paramref name="edit"/>
    /// applied to its JSON text (annotation names or values); the blobs are shared.
    /// </summary>
    public static async Task<ImageReference> EditManifestAsync(RegistryProcess registry, string source, string target, Func<string, string> edit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(edit);
        using var client = registry.CreateClient();
        var manifest = await client.GetManifestAsync(registry.Reference(source), cancellationToken);
        var text = Encoding.UTF8.GetString(manifest.Content);
        var edited = edit(text);
        if (edited == text)
        {
            throw new InvalidOperationException($"the edit changed nothing in the manifest of {source}");
        }

        var reference = registry.Reference(target);
        foreach (var blob in manifest.Manifest!.Layers.Append(manifest.Manifest.Config))
        {
            await client.MountBlobAsync(reference, blob.Digest, registry.Reference(source), cancellationToken);
        }

        await client.PushManifestAsync(reference, manifest.MediaType, Encoding.UTF8.GetBytes(edited), cancellationToken);
        return reference;
    }

    /// <summary>
    /// Pushes a copy of <paramref name="source"/> whose only layer blob is <paramref name="edit"/>ed (e.g. its footer
    /// cut or garbled), with a manifest naming the new blob; annotations unchanged.
    /// </summary>
    public static async Task<ImageReference> EditLayerAsync(RegistryProcess registry, string source, string target, Func<byte[], byte[]> edit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(edit);
        using var client = registry.CreateClient();
        var reference = registry.Reference(target);
        var manifest = await client.GetManifestAsync(registry.Reference(source), cancellationToken);
        var layer = manifest.Manifest!.Layers.Single();
        await using var blob = await client.OpenBlobAsync(registry.Reference(source), layer.Digest, layer.Size, 0, cancellationToken);
        using var copy = new MemoryStream();
        await blob.CopyToAsync(copy, cancellationToken);
        var edited = edit(copy.ToArray());
        var digest = Digest.Sha256(edited);
        await client.PushBlobAsync(reference, digest, edited, cancellationToken);
        await client.MountBlobAsync(reference, manifest.Manifest.Config.Digest, registry.Reference(source), cancellationToken);
        var json = System.Text.Json.Nodes.JsonNode.Parse(manifest.Content)!;
        var descriptor = json["layers"]![0]!;
        descriptor["digest"] = digest.ToString();
        descriptor["size"] = edited.Length;
        await client.PushManifestAsync(reference, manifest.MediaType, Encoding.UTF8.GetBytes(json.ToJsonString()), cancellationToken);
        return reference;
    }
}
