using Kmm.Preflight.Oci.FileSystem.Toc;
using Kmm.Preflight.Oci.Layers;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>Reading a file's bytes from the layer that provides it: by range from a table of contents, else streamed.</summary>
public sealed partial class ImageFileSystem
{
    private async Task<byte[]> ReadLayerContentAsync(MergedNode node, LayerIndexEntry data, CancellationToken cancellationToken)
    {
        var content = new byte[data.Size];
        using var destination = new MemoryStream(content, writable: true);
        await CopyLayerContentAsync(node, data, destination, cancellationToken).ConfigureAwait(false);
        return content;
    }

    private async Task CopyLayerContentAsync(MergedNode node, LayerIndexEntry data, Stream destination, CancellationToken cancellationToken)
    {
        var layer = Image.Layers[node.DataLayer];
        var index = await GetIndexAsync(node.DataLayer, cancellationToken).ConfigureAwait(false);
        if (index.Toc is not { } toc)
        {
            await LayerContentReader.CopyAsync(layer, data, destination, Options.Logger, cancellationToken).ConfigureAwait(false);
            return;
        }

        // An index made from a TOC names files by their place in it, not by tar offsets, so it can only be read by
        // range; a layer of the same digest from a source without ranges (or a registry that stops honouring Range)
        // is streamed once more to get the file.
        if (layer is IRangeLayer ranged)
        {
            try
            {
                await TocFileReader.CopyAsync(ranged, toc, data, destination, Options.Logger, cancellationToken).ConfigureAwait(false);
                Options.Progress?.Report(new LayerScanProgress(Image.Name, layer.Descriptor.Digest, toc.BytesRead, layer.Descriptor.Size, index.Entries.Count, Completed: false)
                {
                    Method = LayerReadMethod.TableOfContents,
                });
                return;
            }
            catch (RangeIgnoredException e)
            {
                // Thrown when the range is opened, before anything is written.
                Options.Logger?.LogInformation("Layer {Layer} of {Image}: {Reason} reading /{Path}; streaming the layer for it", layer.Descriptor.Digest, Image.Name, e.Message, data.Path);
            }
        }

        var content = await ReadByStreamingAsync(layer, data, cancellationToken).ConfigureAwait(false);
        await destination.WriteAsync(content, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> ReadByStreamingAsync(ILayer layer, LayerIndexEntry data, CancellationToken cancellationToken)
    {
        var path = LayerPath.ToAbsolute(data.Path);
        var settings = ScanSettings with { RetainContent = (p, _) => p == path, RecordRandomAccess = false, Note = "file read from a table-of-contents index by streaming the layer (no ranged reads)" };
        var streamed = await LayerIndexer.IndexAsync(layer, settings, cancellationToken).ConfigureAwait(false);
        var entry = streamed.Entries.LastOrDefault(e => e.Path == data.Path && e.Content is not null);
        return entry?.Content is { } content && content.Length == data.Size
            ? content
            : throw new InvalidDataException($"{path} of layer {layer.Descriptor.Digest} in {Image.Name} could not be read by streaming the layer (missing, or larger than {LayerIndexer.MaxRetainedFileBytes} bytes).");
    }
}
