namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// The merged tree reaching lowest so far for one resolved image, shared by every <see cref="ImageFileSystem"/> over
/// that image and cache: a validator opens one file system a module, and 200 modules over 20 images should merge 20
/// trees, not 200. Trees are immutable once published.
/// </summary>
internal sealed class MergedTreeSlot
{
    /// <summary>The deepest tree built; its answers are the most decided, and once it reaches layer 0 it is the image.</summary>
    public MergedTree? Deepest;

    /// <summary>Serialises building a deeper tree.</summary>
    public SemaphoreSlim Lock { get; } = new(1, 1);
}
