using System.Collections.Concurrent;
using Kmm.Preflight.Core.Engine;
using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Oci.Writing;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>
/// Puts a Dockerfile's base images into the engine, pulled with our own registry client (the Module's pull secret,
/// the auth file, <c>baseImageRegistryTLS</c>), so the engine's registry configuration never decides whether a build
/// works and the engine never pulls. Each image is loaded under a local name carrying its manifest digest, so one
/// already loaded is not sent again, and <c>FROM</c> is rewritten to that name.
/// </summary>
internal static class BaseImageLoader
{
    private const string LocalRepository = "localhost/kmm-preflight/base";

    private static readonly ConcurrentDictionary<(string Engine, string LocalName), Lazy<Task>> Loading = new();

    /// <summary>Loads every base image; returns the local name of each.</summary>
    /// <exception cref="ImageAccessException">A base image could not be resolved.</exception>
    /// <exception cref="EngineException">The engine refused an image.</exception>
    public static async Task<IReadOnlyDictionary<string, string>> LoadAsync(
        EngineClient engine, StageContext context, IEnumerable<string> images, CancellationToken cancellationToken)
    {
        var resolver = context.Resolver!;
        var tls = context.Mapping.Build?.BaseImageRegistryTls;
        var localNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var image in images.Distinct(StringComparer.Ordinal))
        {
            var resolved = await resolver.ResolveAsync(context.RequestFor(image, tls), cancellationToken);
            var localName = $"{LocalRepository}:{resolved.Digest.Hex}";
            localNames[image] = localName;

            // Modules built in parallel often share a base (one driver toolkit for all): one load, the others wait.
            var key = (engine.Endpoint.Display, localName);
            var load = Loading.GetOrAdd(key, _ => new Lazy<Task>(() => LoadOnceAsync(engine, context, image, resolved, localName, cancellationToken)));
            try
            {
                await load.Value.WaitAsync(cancellationToken);
            }
            finally
            {
                Loading.TryRemove(KeyValuePair.Create(key, load));
            }
        }

        return localNames;
    }

    private static async Task LoadOnceAsync(EngineClient engine, StageContext context, string image, ResolvedImage resolved, string localName, CancellationToken cancellationToken)
    {
        if (await engine.ImageExistsAsync(localName, cancellationToken))
        {
            context.Logger?.LogDebug("base image {Image} ({Digest}) is already in the engine as {LocalName}", image, resolved.Digest, localName);
            return;
        }

        context.Logger?.LogInformation("loading base image {Image} ({Digest}, {Bytes} bytes) into the engine", image, resolved.Digest, resolved.Manifest.Layers.Sum(l => l.Size));
        await engine.LoadImageAsync((stream, ct) => DockerArchiveWriter.WriteAsync(resolved, [localName], stream, ct), cancellationToken);
    }
}
