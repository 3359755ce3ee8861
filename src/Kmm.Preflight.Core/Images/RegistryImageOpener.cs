using System.Net;
using Kmm.Preflight.Core.Registry;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Core.Images;

/// <summary>
/// Opens images from registries (and <c>oci:</c>/<c>docker-archive:</c> names) through the OCI library, with the
/// request's credentials and TLS settings, one shared layer cache, and failures mapped to <see cref="ImageAccessException"/>.
/// </summary>
public sealed class RegistryImageOpener : IImageOpener
{
    private readonly RegistryClientPool _pool;
    private readonly RegistryImageOpenerOptions _options;
    private readonly LayerIndexCache _cache;

    /// <summary>Creates an opener over <paramref name="pool"/>.</summary>
    public RegistryImageOpener(RegistryClientPool pool, RegistryImageOpenerOptions? options = null)
    {
        _pool = pool ?? throw new ArgumentNullException(nameof(pool));
        _options = options ?? new RegistryImageOpenerOptions();
        _cache = _options.Cache ?? new LayerIndexCache();
    }

    /// <inheritdoc />
    public async Task<IImageFiles> OpenAsync(ImageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var files = new ImageFileSystemFiles(request.Reference, _options.Progress);
        try
        {
            IImageSource source;
            if (request.Reference.StartsWith("oci:", StringComparison.Ordinal) || request.Reference.StartsWith("docker-archive:", StringComparison.Ordinal))
            {
                source = new ImageSourceFactory(_pool.Get(ImageReference.Parse("localhost/local"), null, null, null)).Open(request.Reference);
            }
            else
            {
                var reference = ImageReference.Parse(request.Reference);
                source = new RegistryImageSource(_pool.Get(reference, request.RegistryTls, request.Credentials, request.CredentialsKey), reference);
            }

            var image = await source.ResolveAsync(request.Platform, cancellationToken);
            files.FileSystem = new ImageFileSystem(image, new ImageFileSystemOptions
            {
                Cache = _cache,
                RetainContent = _options.RetainContent,
                MaxParallelLayers = _options.MaxParallelLayers,
                Progress = files,
                Logger = _options.Logger,
            });
            return files;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ImageAccessException)
        {
            throw Classify(request.Reference, ex);
        }
    }

    /// <summary>Maps an OCI library failure to an <see cref="ImageAccessException"/> a status reason can be written from.</summary>
    public static ImageAccessException Classify(string image, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var failure = exception switch
        {
            ImageNotFoundException or RegistryNotFoundException => ImageAccessFailure.NotFound,
            RegistryUnauthorizedException => ImageAccessFailure.Unauthorized,
            RegistryException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } => ImageAccessFailure.Unauthorized,
            RegistryException { StatusCode: HttpStatusCode.NotFound } => ImageAccessFailure.NotFound,
            HttpRequestException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } => ImageAccessFailure.Unauthorized,
            FormatException or InvalidDataException => ImageAccessFailure.Invalid,
            _ => ImageAccessFailure.Unreachable,
        };
        return new ImageAccessException(failure, image, exception.Message, exception);
    }
}
