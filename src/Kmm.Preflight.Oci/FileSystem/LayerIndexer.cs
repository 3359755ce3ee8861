using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Layers.Checkpoints;
using Kmm.Preflight.Oci.Layers.Tar;
using Kmm.Preflight.Oci.Telemetry;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.FileSystem;

/// <summary>Builds a <see cref="LayerIndex"/> in one streaming pass over a layer, keeping only index records.</summary>
internal static class LayerIndexer
{
    /// <summary>Files larger than this are never retained in memory, whatever the predicate says.</summary>
    public const long MaxRetainedFileBytes = 256L * 1024 * 1024;

    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private const string WhiteoutMetaPrefix = ".wh..wh.";
    private const long ProgressInterval = 16L * 1024 * 1024;
    private const long LongLayerBytes = 64L * 1024 * 1024;

    /// <summary>Reads <paramref name="layer"/> to its end and indexes it.</summary>
    /// <exception cref="InvalidDataException">Malformed layer, or the blob's digest does not match.</exception>
    /// <exception cref="UnsupportedLayerException">Foreign layer or unknown media type.</exception>
    /// <exception cref="LayerLimitExceededException">A <see cref="LayerLimits"/> bound was exceeded.</exception>
    public static async Task<LayerIndex> IndexAsync(ILayer layer, LayerScanSettings settings, CancellationToken cancellationToken = default)
    {
        var descriptor = layer.Descriptor;
        using var activity = OciTelemetry.StartLayerScan(settings.ImageName, descriptor);
        var stopwatch = Stopwatch.StartNew();
        var entries = new List<LayerIndexEntry>();

        // Regular files so far by path: a hard link takes the data of the file its target names at that point.
        var files = new Dictionary<string, LayerIndexEntry>(StringComparer.Ordinal);
        var recorder = settings.RecordRandomAccess ? new CheckpointRecorder() : null;
        var estargz = Toc.TocAnnotations.IsEstargz(descriptor);
        await using var tar = await LayerTarStream.OpenAsync(layer, recorder, cancellationToken).ConfigureAwait(false);
        await using var reader = new LayerTarReader(tar.Tar, settings.Limits);

        // An uncompressed layer is read at any offset as it is: nothing to hash or checkpoint.
        var hashFiles = recorder is not null && tar.Compression is LayerCompression.Gzip or LayerCompression.Zstd;
        await using var digests = hashFiles ? new FileDigestPipeline() : null;
        var nextReport = ProgressInterval;
        try
        {
            while (await reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false) is { } entry)
            {
                var indexed = Classify(entry);
                if (indexed is not null && estargz && Toc.TocAnnotations.IsEstargzHidden(indexed.Path))
                {
                    // The TOC and landmark files eStargz adds are hidden, as the TOC listing hides them.
                    indexed = null;
                }

                if (indexed is not null)
                {
                    if (indexed.Kind == LayerEntryKind.File && indexed.Size <= MaxRetainedFileBytes
                        && settings.RetainContent?.Invoke(LayerPath.ToAbsolute(indexed.Path), indexed.Size) == true)
                    {
                        indexed = indexed with { Content = await ReadContentAsync(reader, indexed.Size, cancellationToken).ConfigureAwait(false) };
                    }

                    if (digests is not null && indexed.Kind == LayerEntryKind.File)
                    {
                        if (indexed.Content is { } content)
                        {
                            indexed = indexed with { Sha256 = SHA256.HashData(content) };
                        }
                        else
                        {
                            await digests.AddAsync(reader, entries.Count, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    indexed = TrackFiles(files, indexed);
                    entries.Add(indexed);
                }

                if (reader.Position >= nextReport)
                {
                    nextReport = reader.Position + ProgressInterval;
                    settings.Progress?.Report(new LayerScanProgress(settings.ImageName, descriptor.Digest, tar.CompressedBytesRead, descriptor.Size, reader.HeadersRead, Completed: false));
                }
            }

            var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                await tar.DrainAsync(scratch, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
        catch (Exception ex) when (OciTelemetry.Failed(activity, ex))
        {
            throw; // never reached: the filter only records the failure on the span
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Layer {descriptor.Digest} of {settings.ImageName}: {ex.Message}", ex);
        }
        catch (LayerLimitExceededException ex)
        {
            // Same type (callers tell a limit from corruption), with the layer and image named as for corrupt data.
            throw new LayerLimitExceededException($"Layer {descriptor.Digest} of {settings.ImageName}: {ex.Message}", ex);
        }

        if (digests is not null)
        {
            SetDigests(entries, await digests.CompleteAsync().ConfigureAwait(false));
        }

        settings.Progress?.Report(new LayerScanProgress(settings.ImageName, descriptor.Digest, tar.CompressedBytesRead, descriptor.Size, reader.HeadersRead, Completed: true) { Verified = tar.Verified, Note = settings.Note });
        var level = reader.Position >= LongLayerBytes ? LogLevel.Information : LogLevel.Debug;
        settings.Logger?.Log(
            level,
            "Indexed layer {Layer} of {Image} ({Compression}): {Entries} entries, {Bytes} bytes uncompressed in {Elapsed} ms; blob {Verification}",
            descriptor.Digest,
            settings.ImageName,
            tar.Compression,
            entries.Count,
            reader.Position,
            stopwatch.ElapsedMilliseconds,
            tar.Verified ? "read to the end (digest verified)" : "not read to the end (unverified)");
        OciTelemetry.LayerScanned(activity, OciTelemetry.NameOf(tar.Compression), tar.CompressedBytesRead, reader.Position);
        entries.TrimExcess();
        return new LayerIndex(descriptor.Digest, entries, reader.Position)
        {
            DigestVerified = tar.Verified,

            // Only a read that reached the end verified the digest: only then do offsets and states describe this blob.
            RandomAccess = hashFiles && tar.Verified
                ? new LayerRandomAccess(tar.Compression, recorder!.StateFormat, [.. recorder.Checkpoints])
                : null,
        };
    }

    /// <summary>Puts the files' digests, hashed on the pipeline's worker, on them and on the hard links that share their data.</summary>
    private static void SetDigests(List<LayerIndexEntry> entries, IReadOnlyDictionary<int, byte[]> digests)
    {
        var byOffset = new Dictionary<long, byte[]>();
        foreach (var (position, digest) in digests)
        {
            entries[position] = entries[position] with { Sha256 = digest };
            byOffset[entries[position].DataOffset] = digest;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is { Kind: LayerEntryKind.Hardlink, Sha256: null } link && byOffset.TryGetValue(link.DataOffset, out var digest))
            {
                entries[i] = link with { Sha256 = digest };
            }
        }
    }

    /// <summary>Records regular files by path and points hard links at their target's data.</summary>
    internal static LayerIndexEntry TrackFiles(Dictionary<string, LayerIndexEntry> files, LayerIndexEntry entry)
    {
        switch (entry.Kind)
        {
            case LayerEntryKind.File:
                files[entry.Path] = entry;
                return entry;
            case LayerEntryKind.Hardlink when entry.LinkTarget is not null && files.TryGetValue(entry.LinkTarget, out var target):
                var linked = entry with { Size = target.Size, DataOffset = target.DataOffset, Content = target.Content, Sha256 = target.Sha256 };
                files[entry.Path] = linked;
                return linked;
            case LayerEntryKind.Whiteout or LayerEntryKind.OpaqueDirectory:
                return entry;
            default:
                files.Remove(entry.Path);
                return entry;
        }
    }

    /// <summary>The index record for a tar entry; null for entries the merged view ignores (the root, sparse files, aufs metadata).</summary>
    internal static LayerIndexEntry? Classify(LayerTarEntry entry) =>
        Classify(LayerPath.Normalise(entry.Name), entry.Kind, entry.Size, entry.LinkName, entry.Mode, entry.DataOffset);

    /// <summary>The same, from an entry's fields with its name already normalised (a table of contents' entries).</summary>
    internal static LayerIndexEntry? Classify(string path, TarEntryKind kind, long size, string linkName, int mode, long dataOffset)
    {
        if (path.Length == 0)
        {
            return null;
        }

        // Only a whiteout needs its name as a string of its own.
        if (path.AsSpan(path.LastIndexOf('/') + 1).StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            var name = LayerPath.Name(path);
            var parent = LayerPath.Parent(path);
            if (name == OpaqueMarker)
            {
                return new LayerIndexEntry(parent, LayerEntryKind.OpaqueDirectory, 0, null, 0, 0);
            }

            if (name.StartsWith(WhiteoutMetaPrefix, StringComparison.Ordinal) || name.Length == WhiteoutPrefix.Length)
            {
                return null;
            }

            return new LayerIndexEntry(LayerPath.Combine(parent, name[WhiteoutPrefix.Length..]), LayerEntryKind.Whiteout, 0, null, 0, 0);
        }

        return kind switch
        {
            TarEntryKind.RegularFile => new LayerIndexEntry(path, LayerEntryKind.File, size, null, mode, dataOffset),
            TarEntryKind.Directory => new LayerIndexEntry(path, LayerEntryKind.Directory, 0, null, mode, 0),
            TarEntryKind.SymbolicLink => new LayerIndexEntry(path, LayerEntryKind.Symlink, 0, linkName, mode, 0),
            TarEntryKind.HardLink => new LayerIndexEntry(path, LayerEntryKind.Hardlink, 0, LayerPath.Normalise(linkName), mode, LayerIndexEntry.UnresolvedOffset),
            TarEntryKind.CharacterDevice => new LayerIndexEntry(path, LayerEntryKind.CharacterDevice, 0, null, mode, 0),
            TarEntryKind.BlockDevice => new LayerIndexEntry(path, LayerEntryKind.BlockDevice, 0, null, mode, 0),
            TarEntryKind.Fifo => new LayerIndexEntry(path, LayerEntryKind.Fifo, 0, null, mode, 0),
            _ => null,
        };
    }

    private static async Task<byte[]> ReadContentAsync(LayerTarReader reader, long size, CancellationToken cancellationToken)
    {
        var content = new byte[size];
        var read = 0;
        while (read < size)
        {
            var count = await reader.ReadDataAsync(content.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (count == 0)
            {
                throw new InvalidDataException($"Unexpected end of file data after {read} of {size} bytes.");
            }

            read += count;
        }

        return content;
    }
}
