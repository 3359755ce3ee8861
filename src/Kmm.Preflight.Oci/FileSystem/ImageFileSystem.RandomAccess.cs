namespace Kmm.Preflight.Oci.FileSystem;

/// <content>Reading a file from the middle of its layer when the layer's index has checkpoints (see <see cref="LayerRangeReader"/>).</content>
public sealed partial class ImageFileSystem
{
    /// <summary>What ranged reads of files did in this view (verified reads, bytes fetched, fallbacks to streaming).</summary>
    internal RandomAccessStatistics RandomAccessStatistics { get; } = new();

    /// <summary>The file's bytes from a verified ranged read, or null when its layer must be streamed.</summary>
    private async Task<byte[]?> TryRangedReadAsync(MergedNode node, LayerIndexEntry data, CancellationToken cancellationToken)
    {
        if (data.Sha256 is null)
        {
            return null;
        }

        var index = await GetIndexAsync(node.DataLayer, cancellationToken).ConfigureAwait(false);
        return await LayerRangeReader.TryReadAsync(Image.Layers[node.DataLayer], index, data, RandomAccessStatistics, Options.Logger, cancellationToken).ConfigureAwait(false);
    }
}
