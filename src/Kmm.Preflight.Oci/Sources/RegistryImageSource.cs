using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>An image in a registry, read through the distribution API.</summary>
public sealed class RegistryImageSource : IImageSource
{
    private readonly RegistryClient _client;

    /// <summary>Creates a source for <paramref name="reference"/>.</summary>
    public RegistryImageSource(RegistryClient client, ImageReference reference)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        Reference = reference ?? throw new ArgumentNullException(nameof(reference));
    }

    /// <summary>The reference.</summary>
    public ImageReference Reference { get; }

    /// <inheritdoc />
    public string Name => Reference.ToString();

    /// <inheritdoc />
    /// <exception cref="RegistryException">The registry cannot be reached or refuses access.</exception>
    /// <exception cref="InvalidDataException">A manifest or the config is malformed, too large, or does not match its digest.</exception>
    public async Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(platform);
        using var activity = Telemetry.OciTelemetry.StartResolve("registry", Name, platform);
        var (top, rawManifest) = await FetchAsync(Reference, cancellationToken);
        ImageIndex? index = null;
        ImageManifest manifest;
        Platform? chosen = null;
        if (top.Index is { } topIndex)
        {
            index = topIndex;
            var entry = topIndex.Select(platform) ?? throw new ImageNotFoundException(
                $"image {Reference} has no manifest for platform {platform}; available: {Available(topIndex)}.");
            chosen = entry.Platform;
            (var document, rawManifest) = await FetchAsync(Reference.WithDigest(entry.Digest), cancellationToken);
            manifest = document.Manifest
                ?? throw new InvalidDataException($"{Reference}: the index entry for {platform} ({entry.Digest}) is itself an index; nested indexes are not supported.");
        }
        else
        {
            manifest = top.Manifest!;
        }

        var layers = manifest.Layers.Select(d => new RegistryLayer(_client, Reference, d, _client.PrefetchBudget)).ToList();
        StartTopLayer(layers, cancellationToken);

        // The config is read when asked for: finding and reading files needs only the manifest, and the config's
        // request cost the registry as much as the TOC's (see ImageConfigBlob).
        var configDescriptor = manifest.Config;
        return new ResolvedImage
        {
            Name = Name,
            Index = index,
            Manifest = manifest,
            Config = new ImageConfigBlob(token => ReadConfigAsync(configDescriptor, token), $"{Reference} config {configDescriptor.Digest}"),
            Platform = chosen,
            Layers = layers,
            RawManifest = rawManifest,
        };
    }

    // A scan reads the top layer first, and often stops there; starting it now overlaps its round trip (and loading
    // its decoder) with the config's instead of following it. A layer with a table of contents is read in small
    // ranged pieces instead, so it is not fetched whole.
    private void StartTopLayer(List<RegistryLayer> layers, CancellationToken cancellationToken)
    {
        LayerDecoders.StartLoading(layers.Select(l => l.Descriptor));
        if (layers.Count > 0 && layers[^1] is { Descriptor: var top } layer
            && top.Size > 0 && top.Size <= Math.Min(_client.Options.TopLayerPrefetchBytes, Array.MaxLength)
            && LayerDecoders.CanRead(top)
            && !FileSystem.Toc.TocAnnotations.Announces(top)
            && _client.Options.TopLayerPrefetchFilter?.Invoke(top.Digest) != false)
        {
            layer.StartPrefetch(cancellationToken);
        }
        else if (layers.Count > 0 && layers[^1] is { Descriptor: var tocTop } tocLayer
            && _client.Options.TopLayerPrefetchFilter?.Invoke(tocTop.Digest) != false
            && TocFirstRanges(tocTop) is { Count: > 0 } ranges
            && ranges.Sum(r => (long)r.Length) <= _client.Options.TopLayerPrefetchBytes)
        {
            // A layer with a table of contents is read by range, starting with its footer and TOC: those are fetched
            // now, overlapping the config's round trip, instead of after it.
            tocLayer.StartRangePrefetch(ranges, cancellationToken);
        }
    }

    private static IReadOnlyList<(long Offset, int Length)>? TocFirstRanges(Descriptor descriptor)
    {
        try
        {
            return FileSystem.Toc.TocAnnotations.Find(descriptor) is { } location
                ? FileSystem.Toc.TocLayerReader.FirstRanges(descriptor, location, new Layers.LayerLimits())
                : null;
        }
        catch (FileSystem.Toc.TocInvalidException)
        {
            // Reported when the layer is read, which then streams it.
            return null;
        }
    }

    private async Task<(ManifestDocument Document, byte[] Raw)> FetchAsync(ImageReference reference, CancellationToken cancellationToken)
    {
        try
        {
            var document = await _client.GetManifestAsync(reference, cancellationToken);
            return (document, document.Content);
        }
        catch (RegistryNotFoundException e)
        {
            throw new ImageNotFoundException($"image {reference} not found: {e.Message}", e);
        }
    }

    private async Task<byte[]> ReadConfigAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        if (descriptor.Size > ManifestParser.MaxConfigBytes)
        {
            throw new InvalidDataException($"{Reference}: config blob is {descriptor.Size} bytes, more than the {ManifestParser.MaxConfigBytes}-byte limit.");
        }

        await using var stream = await _client.OpenBlobAsync(Reference, descriptor.Digest, descriptor.Size, 0, cancellationToken);
        using var buffer = new MemoryStream((int)descriptor.Size);
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static string Available(ImageIndex index)
    {
        var platforms = index.Manifests.Where(m => m.Platform is not null).Select(m => m.Platform!.ToString()).Distinct().ToList();
        return platforms.Count == 0 ? "none (the index names no platforms)" : string.Join(", ", platforms);
    }
}
