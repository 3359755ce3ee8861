using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>
/// A layer that lives in a registry repository. Pushing it to another repository of the same registry can mount it
/// there (no bytes sent) instead of downloading and uploading it.
/// </summary>
public interface IRegistryLayer : ILayer
{
    /// <summary>The repository the layer was read from (<see cref="ImageReference.Registry"/> is its registry).</summary>
    ImageReference Repository { get; }
}
