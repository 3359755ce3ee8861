using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Sources.Layout;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>An image in an OCI image layout directory (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/</c>).</summary>
/// <remarks>
/// The tag selects the <c>index.json</c> entry whose <c>org.opencontainers.image.ref.name</c> annotation equals it; a full
/// reference (<c>host/repo:tag</c>) or a digest (<c>sha256:…</c> or <c>@sha256:…</c>) is accepted too. Without a tag the
/// layout must hold one image. Indexes are descended to the requested platform. Blobs are read in place; layer streams
/// verify digest and size when read to their end.
/// </remarks>
public sealed class OciLayoutImageSource : IImageSource
{
    /// <summary>Creates a source for the image tagged <paramref name="tag"/> (annotation <c>org.opencontainers.image.ref.name</c>) in <paramref name="directory"/>; null tag means the only image.</summary>
    public OciLayoutImageSource(string directory, string? tag = null)
    {
        Directory = directory ?? throw new ArgumentNullException(nameof(directory));
        Tag = tag;
    }

    /// <summary>The layout directory.</summary>
    public string Directory { get; }

    /// <summary>The tag, or null.</summary>
    public string? Tag { get; }

    /// <inheritdoc />
    public string Name => Tag is null ? $"oci:{Directory}" : $"oci:{Directory}:{Tag}";

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The layout is corrupt: <c>oci-layout</c> or <c>index.json</c> missing or malformed, a blob missing or not matching its digest.</exception>
    public async Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(platform);
        using var activity = Telemetry.OciTelemetry.StartResolve("oci", Name, platform);
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new ImageNotFoundException($"{Name}: directory '{Directory}' does not exist.");
        }

        await CheckLayoutFileAsync(System.IO.Path.Combine(Directory, "oci-layout"), cancellationToken);
        var indexPath = System.IO.Path.Combine(Directory, "index.json");
        if (!File.Exists(indexPath))
        {
            throw new InvalidDataException($"{indexPath}: missing; '{Directory}' is not an OCI image layout.");
        }

        var indexBytes = await ReadSmallFileAsync(indexPath, cancellationToken);
        var index = OciLayoutResolver.ParseIndexJson(indexBytes, indexPath);
        return await OciLayoutResolver.ResolveAsync(new DirectoryBlobStore(Directory, Name), index, Tag, platform, cancellationToken);
    }

    private static async Task CheckLayoutFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: missing; the directory is not an OCI image layout.");
        }

        var content = await ReadSmallFileAsync(path, cancellationToken);
        OciLayoutFile.Check(content, path);
    }

    private static async Task<byte[]> ReadSmallFileAsync(string path, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        if (length > ManifestParser.MaxManifestBytes)
        {
            throw new InvalidDataException($"{path}: {length} bytes, more than the {ManifestParser.MaxManifestBytes}-byte limit.");
        }

        return await File.ReadAllBytesAsync(path, cancellationToken);
    }
}
