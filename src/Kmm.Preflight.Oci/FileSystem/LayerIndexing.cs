using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>
/// Indexes a layer the cheapest trustworthy way: from its table of contents when it has one and its source reads
/// ranges, else (and whenever the TOC cannot be used) by streaming it, saying why in the progress report and the log.
/// </summary>
internal static class LayerIndexing
{
    /// <summary>The index of <paramref name="layer"/>.</summary>
    /// <exception cref="InvalidDataException">Malformed layer, or the blob's digest does not match.</exception>
    /// <exception cref="UnsupportedLayerException">Foreign layer or unknown media type.</exception>
    /// <exception cref="LayerLimitExceededException">A <see cref="LayerLimits"/> bound was exceeded.</exception>
    public static async Task<LayerIndex> IndexAsync(ILayer layer, LayerScanSettings settings, CancellationToken cancellationToken = default)
    {
        var descriptor = layer.Descriptor;
        string? note;
        try
        {
            var location = TocAnnotations.Find(descriptor);
            if (location is null)
            {
                return await LayerIndexer.IndexAsync(layer, settings, cancellationToken).ConfigureAwait(false);
            }

            if (layer is not IRangeLayer ranged)
            {
                note = $"has a {Name(location.Format)} table of contents but its source cannot read ranges; streamed instead";
            }
            else
            {
                var index = await TocLayerReader.ReadAsync(ranged, location, settings.Limits, settings.FetchAhead, cancellationToken).ConfigureAwait(false);
                var toc = index.Toc!;
                settings.Progress?.Report(new LayerScanProgress(settings.ImageName, descriptor.Digest, toc.BytesRead, descriptor.Size, index.Entries.Count, Completed: true)
                {
                    Method = LayerReadMethod.TableOfContents,
                    Note = $"listed from its verified {toc.FormatName} table of contents ({toc.BytesRead} of {descriptor.Size} bytes read)",
                });
                settings.Logger?.LogDebug(
                    "Indexed layer {Layer} of {Image} from its {Format} table of contents ({Annotation}): {Entries} entries; {Bytes} of {Size} bytes read by range, TOC digest verified",
                    descriptor.Digest,
                    settings.ImageName,
                    toc.FormatName,
                    location.AnnotationPrefix,
                    index.Entries.Count,
                    toc.BytesRead,
                    descriptor.Size);
                return index;
            }
        }
        catch (TocInvalidException e)
        {
            note = $"table of contents not used ({e.Message}); streamed instead";
        }
        catch (RangeIgnoredException e)
        {
            note = $"table of contents not used ({e.Message}); streamed instead";
        }

        settings.Logger?.LogInformation("Layer {Layer} of {Image}: {Note}", descriptor.Digest, settings.ImageName, note);
        return await LayerIndexer.IndexAsync(layer, settings with { Note = note }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The digest of the table of contents <paramref name="layer"/> would be listed from (its descriptor announces one
    /// well-formed, and its source reads ranges), so an index made from that TOC can be looked up; null otherwise.
    /// </summary>
    public static References.Digest? TocDigestOf(ILayer layer)
    {
        try
        {
            return layer is IRangeLayer ? TocAnnotations.Find(layer.Descriptor)?.Digest : null;
        }
        catch (TocInvalidException)
        {
            return null;
        }
    }

    private static string Name(TocFormat format) => format == TocFormat.Estargz ? "eStargz" : "zstd:chunked";
}
