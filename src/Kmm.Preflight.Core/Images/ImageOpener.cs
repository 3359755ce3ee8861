using System.Collections.Concurrent;
using Kmm.Preflight.Core.Registry;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Core.Images;

/// <summary>
/// Opens the images of requests through the OCI library, from any source <see cref="ImageSourceFactory"/> names
/// (a registry reference, <c>oci:DIR[:TAG]</c>, <c>docker-archive:FILE[:REF]</c>), with the request's credentials
/// and TLS settings, one shared layer cache, and failures mapped to <see cref="ImageAccessException"/>.
/// </summary>
/// <remarks>Formerly <c>RegistryImageOpener</c> (with <c>RegistryImageOpenerOptions</c>): it never only opened registries.</remarks>
public sealed class ImageOpener : IImageOpener, IImageResolver, IDisposable
{
    private readonly RegistryClientPool _pool;
    private readonly RegistryClientPool? _ownPool;
    private readonly ImageOpenerOptions _options;
    private readonly LayerIndexCache _cache;
    private readonly ConcurrentDictionary<(RegistryClient? Client, string Reference, string Platform), Lazy<Task<ResolvedImage>>> _resolved = new();

    /// <summary>
    /// Creates an opener whose registry clients use <paramref name="registry"/> (default credentials, CA files, host
    /// settings), one client per distinct pull secret and registryTLS of the requests; dispose it to close them.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (every problem listed).</exception>
    public ImageOpener(RegistryClientOptions? registry = null, ImageOpenerOptions? options = null)
        : this(new RegistryClientPool(registry, options?.Logger), options)
    {
        _ownPool = _pool;
    }

    /// <summary>Creates an opener over a pool it shares with its creator, which disposes the pool.</summary>
    internal ImageOpener(RegistryClientPool pool, ImageOpenerOptions? options = null)
    {
        _pool = pool ?? throw new ArgumentNullException(nameof(pool));
        _options = options ?? new ImageOpenerOptions();
        if (_options.MaxParallelLayers is < 1 or > 64)
        {
            throw new ArgumentException($"invalid image opener options: MaxParallelLayers must be between 1 and 64 (got {_options.MaxParallelLayers})", nameof(options));
        }

        _cache = _options.Cache ?? new LayerIndexCache();
    }

    /// <summary>Closes the registry clients this opener created (none when it was given a shared pool).</summary>
    public void Dispose() => _ownPool?.Dispose();

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
            // The factory parses the name; a registry reference gets the pool's client for its credentials and TLS
            // settings, an oci:/docker-archive: name none.
            RegistryClient? client = null;
            var source = new ImageSourceFactory(reference => client = _pool.Get(reference, request.RegistryTls, request.Credentials, request.CredentialsKey)).Open(request.Reference);
            return _options.ReuseResolvedImages
                ? await ResolveSharedAsync((client, request.Reference, request.Platform.ToString()), source, request.Platform, cancellationToken)
                : await source.ResolveAsync(request.Platform, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ImageAccessException)
        {
            throw ImageAccessException.For(request.Reference, ex);
        }
    }

    // The pool hands out one client per credentials and TLS settings, so the client stands for both in the key.
    private async Task<ResolvedImage> ResolveSharedAsync((RegistryClient?, string, string) key, IImageSource source, Platform platform, CancellationToken cancellationToken)
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
}
