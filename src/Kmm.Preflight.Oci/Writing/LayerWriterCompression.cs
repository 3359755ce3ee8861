namespace Kmm.Preflight.Oci.Writing;

/// <summary>How <see cref="LayerWriter"/> compresses the tar, which decides the layer's media type.</summary>
public enum LayerWriterCompression
{
    /// <summary>gzip, one member (<c>application/vnd.oci.image.layer.v1.tar+gzip</c>): every registry and runtime reads it.</summary>
    Gzip,

    /// <summary>zstd, one frame (<c>application/vnd.oci.image.layer.v1.tar+zstd</c>); not allowed in Docker schema 2 images.</summary>
    Zstd,

    /// <summary>No compression (<c>application/vnd.oci.image.layer.v1.tar</c>): the digest is the diff ID.</summary>
    None,
}
