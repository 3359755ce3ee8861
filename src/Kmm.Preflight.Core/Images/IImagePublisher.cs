using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Core.Images;

/// <summary>
/// Where the images a run builds or signs go: pushed to a registry (only when <c>pushBuiltImage</c>) and saved
/// locally (only when the run was asked to save them). The narrow seam through which stages write anything.
/// </summary>
public interface IImagePublisher
{
    /// <summary>
    /// Pushes <paramref name="image"/> to <paramref name="reference"/>'s image name, with its credentials and TLS
    /// settings (<see cref="Stages.StageContext.RequestFor"/> makes one); blobs the registry already has are skipped
    /// or mounted, never uploaded again.
    /// </summary>
    /// <exception cref="ImageAccessException">The registry refused the push or could not be reached.</exception>
    Task<PublishedImage> PushAsync(ResolvedImage image, ImageRequest reference, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves <paramref name="image"/> under <paramref name="name"/> where the run keeps its images (an OCI layout);
    /// returns where it went (e.g. <c>oci:DIR:TAG</c>), or null when the run does not save images.
    /// </summary>
    /// <exception cref="IOException">The image could not be written.</exception>
    Task<string?> SaveAsync(ResolvedImage image, string name, CancellationToken cancellationToken = default);
}
