using Kmm.Preflight.Oci.Layers.Gzip;
using Kmm.Preflight.Oci.Layers.Zstd;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Layers;

/// <summary>What a source needs to know about the layer decoders before it opens a layer.</summary>
internal static class LayerDecoders
{
    private static int _gzipStarted;
    private static int _zstdStarted;

    /// <summary>Whether a layer with <paramref name="descriptor"/> is one this library reads (not foreign, a tar type).</summary>
    public static bool CanRead(Descriptor descriptor)
    {
        try
        {
            LayerCompressionDetector.FromDescriptor(descriptor);
            return true;
        }
        catch (UnsupportedLayerException)
        {
            return false;
        }
    }

    /// <summary>
    /// Loads, on a pool thread, the native decoder each compression among <paramref name="layers"/> will use. Loading
    /// and self-testing ISA-L or libzstd takes about a millisecond; done now it overlaps the layer's download instead
    /// of following it. Loading twice is harmless (each library loads once), so this only avoids queueing needless work.
    /// </summary>
    public static void StartLoading(IEnumerable<Descriptor> layers)
    {
        foreach (var descriptor in layers)
        {
            var mediaType = descriptor.MediaType;
            if ((mediaType == MediaType.OciLayerGzip || mediaType == MediaType.DockerLayerGzip) && Interlocked.Exchange(ref _gzipStarted, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static _ => _ = GzipDecoder.Name, null);
            }
            else if (mediaType == MediaType.OciLayerZstd && Interlocked.Exchange(ref _zstdStarted, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static _ => _ = ZstdDecoder.Name, null);
            }
        }
    }
}
