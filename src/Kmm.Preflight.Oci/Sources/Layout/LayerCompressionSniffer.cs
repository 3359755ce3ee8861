using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>Tells a layer's compression from its first bytes: <c>docker save</c> stores layers raw or gzip without saying which.</summary>
internal static class LayerCompressionSniffer
{
    /// <summary>Docker's media type for an uncompressed layer.</summary>
    public static readonly MediaType DockerLayerTar = new("application/vnd.docker.image.rootfs.diff.tar");

    /// <summary>The media type matching the magic bytes at the start of <paramref name="range"/>.</summary>
    public static async Task<MediaType> SniffAsync(FileRange range, CancellationToken cancellationToken)
    {
        var head = new byte[4];
        await using var stream = BoundedFileStream.Open(range.Path, range.Start, Math.Min(range.Length, head.Length));
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        if (read >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            return MediaType.DockerLayerGzip;
        }

        if (read >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
        {
            return MediaType.OciLayerZstd;
        }

        return DockerLayerTar;
    }
}
