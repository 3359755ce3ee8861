using Kmm.Preflight.Oci.Layers;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>What an index pass needs besides the layer.</summary>
/// <param name="ImageName">The image's name, for progress and logs.</param>
/// <param name="RetainContent">Which files to keep in memory; null for none.</param>
/// <param name="Limits">Bounds against hostile layers.</param>
/// <param name="Progress">Progress sink; null for none.</param>
/// <param name="Logger">Logger; null for none.</param>
/// <param name="RecordRandomAccess">
/// Whether to record decoder checkpoints and each file's SHA-256 (<see cref="LayerIndex.RandomAccess"/>), so later
/// reads fetch only the part of the blob that covers a file. Hashing every file costs time, so this is on only when
/// the index outlives the process (a cache directory).
/// </param>
/// <param name="Note">Why the layer is streamed although it has a table of contents; null when nothing to say.</param>
/// <param name="FetchAhead">
/// The normalised path the lookup that needed this index is for: read from a table of contents, its file's range is
/// fetched while the TOC is parsed, as it is usually read next. Null for none.
/// </param>
internal sealed record LayerScanSettings(
    string ImageName,
    Func<string, long, bool>? RetainContent,
    LayerLimits Limits,
    IProgress<LayerScanProgress>? Progress,
    ILogger? Logger,
    bool RecordRandomAccess = false,
    string? Note = null,
    string? FetchAhead = null);
