namespace Kmm.Preflight.Oci.Manifests;

/// <summary>
/// An OCI or Docker media type: an open set of strings, compared ordinally, with the well-known values as constants.
/// </summary>
/// <param name="Value">The media type string, e.g. <c>application/vnd.oci.image.manifest.v1+json</c>.</param>
public readonly record struct MediaType(string Value)
{
    /// <summary>OCI image manifest.</summary>
    public static readonly MediaType OciManifest = new("application/vnd.oci.image.manifest.v1+json");
    /// <summary>OCI image index.</summary>
    public static readonly MediaType OciIndex = new("application/vnd.oci.image.index.v1+json");
    /// <summary>OCI image config.</summary>
    public static readonly MediaType OciConfig = new("application/vnd.oci.image.config.v1+json");
    /// <summary>OCI uncompressed layer.</summary>
    public static readonly MediaType OciLayerTar = new("application/vnd.oci.image.layer.v1.tar");
    /// <summary>OCI gzip layer.</summary>
    public static readonly MediaType OciLayerGzip = new("application/vnd.oci.image.layer.v1.tar+gzip");
    /// <summary>OCI zstd layer.</summary>
    public static readonly MediaType OciLayerZstd = new("application/vnd.oci.image.layer.v1.tar+zstd");
    /// <summary>OCI non-distributable (foreign) uncompressed layer (deprecated).</summary>
    public static readonly MediaType OciForeignLayerTar = new("application/vnd.oci.image.layer.nondistributable.v1.tar");
    /// <summary>OCI non-distributable (foreign) gzip layer (deprecated).</summary>
    public static readonly MediaType OciForeignLayerGzip = new("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
    /// <summary>OCI non-distributable (foreign) zstd layer (deprecated).</summary>
    public static readonly MediaType OciForeignLayerZstd = new("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");
    /// <summary>Docker schema 2 manifest.</summary>
    public static readonly MediaType DockerManifest = new("application/vnd.docker.distribution.manifest.v2+json");
    /// <summary>Docker manifest list.</summary>
    public static readonly MediaType DockerManifestList = new("application/vnd.docker.distribution.manifest.list.v2+json");
    /// <summary>Docker schema 1 manifest (unsupported; recognised to give a clear error).</summary>
    public static readonly MediaType DockerManifestSchema1 = new("application/vnd.docker.distribution.manifest.v1+json");
    /// <summary>Docker schema 1 signed manifest (unsupported; recognised to give a clear error).</summary>
    public static readonly MediaType DockerManifestSchema1Signed = new("application/vnd.docker.distribution.manifest.v1+prettyjws");
    /// <summary>Docker image config.</summary>
    public static readonly MediaType DockerConfig = new("application/vnd.docker.container.image.v1+json");
    /// <summary>Docker gzip layer.</summary>
    public static readonly MediaType DockerLayerGzip = new("application/vnd.docker.image.rootfs.diff.tar.gzip");
    /// <summary>Docker foreign layer.</summary>
    public static readonly MediaType DockerForeignLayer = new("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");

    /// <summary>All manifest and index types, in the order sent in <c>Accept</c>.</summary>
    public static IReadOnlyList<MediaType> ManifestTypes { get; } = [OciIndex, OciManifest, DockerManifestList, DockerManifest];

    /// <summary>Whether this names an image index or a manifest list.</summary>
    public bool IsIndex => this == OciIndex || this == DockerManifestList;

    /// <summary>Whether this names a single-platform image manifest.</summary>
    public bool IsManifest => this == OciManifest || this == DockerManifest;

    /// <summary>Whether this names a foreign / non-distributable layer.</summary>
    public bool IsForeignLayer => this == DockerForeignLayer || this == OciForeignLayerTar || this == OciForeignLayerGzip || this == OciForeignLayerZstd;

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}
