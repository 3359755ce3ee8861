using Kmm.Preflight.Core.Images;

namespace Kmm.Preflight.Core.Tests.Fixtures;

/// <summary>Opens <see cref="InMemoryImage"/>s by reference; unknown references are "not found"; failures can be injected.</summary>
internal sealed class InMemoryImageOpener : IImageOpener
{
    private readonly Dictionary<string, InMemoryImage> _images = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImageAccessFailure> _failures = new(StringComparer.Ordinal);

    public List<ImageRequest> Requests { get; } = [];

    public InMemoryImage Add(string reference)
    {
        var image = new InMemoryImage(reference);
        _images[reference] = image;
        return image;
    }

    public void Fail(string reference, ImageAccessFailure failure) => _failures[reference] = failure;

    public Task<IImageFiles> OpenAsync(ImageRequest request, CancellationToken cancellationToken = default)
    {
        lock (Requests)
        {
            Requests.Add(request);
        }

        if (_failures.TryGetValue(request.Reference, out var failure))
        {
            throw new ImageAccessException(failure, request.Reference, $"injected {failure}");
        }

        return _images.TryGetValue(request.Reference, out var image)
            ? Task.FromResult<IImageFiles>(image)
            : throw new ImageAccessException(ImageAccessFailure.NotFound, request.Reference, "manifest unknown");
    }
}
