namespace Kmm.Preflight.Core.Images;

/// <summary>Opens images for inspection. Implementations map failures to <see cref="ImageAccessException"/>.</summary>
public interface IImageOpener
{
    /// <summary>Resolves the image (manifest, platform, config) and returns its filesystem.</summary>
    /// <exception cref="ImageAccessException">The image could not be opened (not found, unauthorized, unreachable, malformed).</exception>
    Task<IImageFiles> OpenAsync(ImageRequest request, CancellationToken cancellationToken = default);
}
