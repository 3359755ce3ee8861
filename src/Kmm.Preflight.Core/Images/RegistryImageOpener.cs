using System.Collections.Concurrent;
using System.Net;
using Kmm.Preflight.Core.Registry;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Core.Images;

/// <summary>
/// Opens images from registries (and <c>oci:</c>/<c>docker-archive:</c> names) through the OCI library, with the
/// request's credentials and TLS settings, one shared layer cache, and failures mapped to <see cref="ImageAccessException"/>.
/// </summary>
public sealed class RegistryImageOpener : IImageOpener, IImageResolver
{
    private readonly RegistryClientPool _pool;
    private readonly RegistryImageOpenerOptions _options;
    private readonly LayerIndexCache _cache;
    private readonly ConcurrentDictionary<(RegistryClient Client, string Reference, string Platform), Lazy<Task<ResolvedImage>>> _resolved = new();

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
        var image = await ResolveAsync(request, cancellationToken);
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

    /// <inheritdoc />
    public async Task<ResolvedImage> ResolveAsync(ImageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Image is { } inHand)
        {
            return inHand;
        }

        try
        {
            RegistryClient client;
            IImageSource source;
            if (request.Reference.StartsWith("oci:", StringComparison.Ordinal) || request.Reference.StartsWith("docker-archive:", StringComparison.Ordinal))
            {
                client = _pool.Get(ImageReference.Parse("localhost/local"), null, null, null);
                source = new ImageSourceFactory(client).Open(request.Reference);
            }
            else
            {
                var reference = ImageReference.Parse(request.Reference);
                client = _pool.Get(reference, request.RegistryTls, request.Credentials, request.CredentialsKey);
                source = new RegistryImageSource(client, reference);
            }

            return _options.ReuseResolvedImages
                ? await ResolveSharedAsync((client, request.Reference, request.Platform.ToString()), source, request.Platform, cancellationToken)
                : await source.ResolveAsync(request.Platform, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ImageAccessException)
        {
            throw Classify(request.Reference, ex);
        }
    }

    // The pool hands out one client per credentials and TLS settings, so the client stands for both in the key.
    private async Task<ResolvedImage> ResolveSharedAsync((RegistryClient, string, string) key, IImageSource source, Platform platform, CancellationToken cancellationToken)
    {
        while (true)
        {
            var shared = _resolved.GetOrAdd(key, _ => new Lazy<Task<ResolvedImage>>(() => source.ResolveAsync(platform, cancellationToken)));
            try
            {
                return await shared.Value.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The request that started the shared resolution was cancelled, this one was not: resolve again.
                _resolved.TryRemove(KeyValuePair.Create(key, shared));
            }
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
