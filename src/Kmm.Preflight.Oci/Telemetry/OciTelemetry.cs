using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Telemetry;

/// <summary>
/// The spans and instruments of the OCI layer. Every hook is one call that costs a branch when nobody listens:
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null without allocating, tags are set
/// through <c>activity?.</c> (arguments not evaluated), and counters are checked with <see cref="Instrument.Enabled"/>.
/// </summary>
internal static class OciTelemetry
{
    public const string ResolveSpan = "kmm.preflight.image.resolve";
    public const string LayerScanSpan = "kmm.preflight.layer.scan";

    public const string ImageNameTag = "kmm.preflight.image.name";
    public const string ImageSourceTag = "kmm.preflight.image.source";
    public const string PlatformTag = "kmm.preflight.image.platform";
    public const string LayerDigestTag = "kmm.preflight.layer.digest";
    public const string LayerSizeTag = "kmm.preflight.layer.size";
    public const string CompressionTag = "kmm.preflight.layer.compression";
    public const string LayerReadTag = "kmm.preflight.layer.read";
    public const string LayerUncompressedTag = "kmm.preflight.layer.uncompressed";
    public const string CacheTierTag = "kmm.preflight.cache.tier";

    private static readonly string? Version = typeof(OciTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(KmmPreflightTelemetry.ActivitySourceName, Version);

    private static readonly Meter Meter = new(KmmPreflightTelemetry.MeterName, Version);

    public static readonly Counter<long> BytesRead = Meter.CreateCounter<long>(
        "kmm.preflight.layer.read", "By", "Compressed layer bytes read from a registry, an OCI layout or an archive while scanning layers.");

    public static readonly Counter<long> LayersScanned = Meter.CreateCounter<long>(
        "kmm.preflight.layer.scans", "{layer}", "Layers read and indexed (a scan that failed is not counted).");

    public static readonly Counter<long> CacheHits = Meter.CreateCounter<long>(
        "kmm.preflight.layer_index.cache.hits", "{hit}", "Layer indexes served by the layer index cache instead of a scan, by tier (memory, disk).");

    /// <summary>Starts the span of resolving <paramref name="name"/> to one image; null when nobody listens.</summary>
    public static Activity? StartResolve(string source, string name, Platform platform)
    {
        var activity = Source.StartActivity(ResolveSpan, ActivityKind.Client);
        activity?.SetTag(ImageSourceTag, source).SetTag(ImageNameTag, name).SetTag(PlatformTag, platform.ToString());
        return activity;
    }

    /// <summary>Starts the span of one layer scan; null when nobody listens.</summary>
    public static Activity? StartLayerScan(string imageName, Descriptor layer)
    {
        var activity = Source.StartActivity(LayerScanSpan, ActivityKind.Internal);
        activity?.SetTag(ImageNameTag, imageName).SetTag(LayerDigestTag, layer.Digest.ToString()).SetTag(LayerSizeTag, layer.Size);
        return activity;
    }

    /// <summary>Records a finished layer scan: its counters, and the figures on its span.</summary>
    public static void LayerScanned(Activity? activity, string compression, long compressedBytes, long uncompressedBytes)
    {
        activity?.SetTag(CompressionTag, compression).SetTag(LayerReadTag, compressedBytes).SetTag(LayerUncompressedTag, uncompressedBytes);
        if (LayersScanned.Enabled)
        {
            LayersScanned.Add(1, new KeyValuePair<string, object?>(CompressionTag, compression));
        }

        if (BytesRead.Enabled)
        {
            BytesRead.Add(compressedBytes);
        }
    }

    /// <summary>Records a layer index served by the cache (<paramref name="tier"/>: memory or disk).</summary>
    public static void CacheHit(string tier)
    {
        if (CacheHits.Enabled)
        {
            CacheHits.Add(1, new KeyValuePair<string, object?>(CacheTierTag, tier));
        }
    }

    /// <summary>
    /// Marks <paramref name="activity"/> failed with <paramref name="exception"/>'s type and message. Returns false, to be
    /// used as an exception filter (<c>catch (Exception e) when (OciTelemetry.Failed(activity, e))</c>) that never catches.
    /// </summary>
    public static bool Failed(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.SetTag("error.type", exception.GetType().FullName);
        }

        return false;
    }

    /// <summary>The attribute value of a layer's compression (constant strings: no allocation).</summary>
    public static string NameOf(Layers.LayerCompression compression) => compression switch
    {
        Layers.LayerCompression.Gzip => "gzip",
        Layers.LayerCompression.Zstd => "zstd",
        Layers.LayerCompression.None => "none",
        _ => "unknown",
    };
}
