namespace Kmm.Preflight.Testing.Images;

/// <summary>How a layer blob is compressed.</summary>
public enum LayerCompression
{
    /// <summary>A plain tar.</summary>
    None,

    /// <summary>gzip (one member, or several when a frame size is given).</summary>
    Gzip,

    /// <summary>zstd (one frame, or several when a frame size is given).</summary>
    Zstd,
}
