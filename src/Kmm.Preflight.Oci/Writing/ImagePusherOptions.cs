namespace Kmm.Preflight.Oci.Writing;

/// <summary>Options for <see cref="ImagePusher"/>.</summary>
public sealed record ImagePusherOptions
{
    /// <summary>How many layers are checked, mounted or uploaded at once.</summary>
    /// <value>Default 3 (what Docker and skopeo use).</value>
    public int MaxParallelLayers { get; init; } = 3;

    /// <summary>Whether a layer read from another repository of the target registry is mounted instead of uploaded.</summary>
    /// <value>Default true.</value>
    public bool MountFromSameRegistry { get; init; } = true;
}
