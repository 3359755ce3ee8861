namespace Kmm.Preflight.Testing.Images;

/// <summary>How <see cref="DockerArchiveWriter"/> lays out a <c>docker save</c> archive.</summary>
public enum DockerArchiveStyle
{
    /// <summary>Docker up to 24: <c>&lt;id&gt;/layer.tar</c>, <c>&lt;hex&gt;.json</c> config, <c>manifest.json</c>, <c>repositories</c>.</summary>
    Legacy,

    /// <summary>Docker 25+: an OCI layout (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/sha256/…</c>) plus <c>manifest.json</c>.</summary>
    OciLayout,

    /// <summary>Docker 25+ with the legacy <c>&lt;id&gt;/layer.tar</c> names kept as symlinks into <c>blobs/</c>.</summary>
    OciLayoutWithLegacyLinks,
}
