namespace Kmm.Preflight.Testing.Images;

/// <summary>Which manifest and media-type family an image is written in.</summary>
public enum ManifestFormat
{
    /// <summary>OCI image manifest and index, OCI media types.</summary>
    Oci,

    /// <summary>Docker schema 2 manifest and manifest list, Docker media types.</summary>
    Docker,
}
