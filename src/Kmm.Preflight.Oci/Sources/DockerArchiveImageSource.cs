using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Sources.DockerArchive;
using Kmm.Preflight.Oci.Sources.Layout;

namespace Kmm.Preflight.Oci.Sources;

/// <summary>An image in a <c>docker save</c> tarball (<c>manifest.json</c>, config and layer files; also OCI-layout-style archives Docker 25+ writes).</summary>
/// <remarks>
/// The archive's member offsets are indexed once; layers are then served as byte ranges of the archive file, never
/// extracted. The reference selects a <c>manifest.json</c> entry by its <c>RepoTags</c> (<c>name:tag</c>, normalised
/// as Docker does, so <c>busybox</c> matches <c>docker.io/library/busybox:latest</c>) or by position (<c>@0</c>). Layers
/// may be stored raw or gzip/zstd-compressed: the first bytes decide the media type. When the archive also holds an
/// OCI <c>index.json</c> (Docker 25+), the real manifest is used; otherwise one is synthesised (Docker schema 2).
/// </remarks>
public sealed class DockerArchiveImageSource : IImageSource
{
    // Docker's media type for an uncompressed layer.
    private static readonly MediaType DockerLayerTar = new("application/vnd.docker.image.rootfs.diff.tar");

    /// <summary>Creates a source for the image named <paramref name="reference"/> (a RepoTags entry) in <paramref name="path"/>; null means the only image.</summary>
    public DockerArchiveImageSource(string path, string? reference = null)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
        Reference = reference;
    }

    /// <summary>The archive file.</summary>
    public string Path { get; }

    /// <summary>The image named in the archive, or null.</summary>
    public string? Reference { get; }

    /// <inheritdoc />
    public string Name => Reference is null ? $"docker-archive:{Path}" : $"docker-archive:{Path}:{Reference}";

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The archive is corrupt: not a tar, <c>manifest.json</c> malformed, a member missing or not matching its digest.</exception>
    public async Task<ResolvedImage> ResolveAsync(Platform platform, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(platform);
        using var activity = Telemetry.OciTelemetry.StartResolve("docker-archive", Name, platform);
        if (!File.Exists(Path))
        {
            throw new ImageNotFoundException($"{Name}: file '{Path}' does not exist.");
        }

        var archive = await TarArchiveIndex.ReadAsync(Path, cancellationToken);
        var store = new ArchiveBlobStore(archive, Name);
        var manifestRange = archive.Find("manifest.json");
        if (manifestRange is null)
        {
            return await ResolveOciArchiveAsync(archive, store, platform, cancellationToken);
        }

        var entries = DockerArchiveManifest.ParseList(
            await ArchiveBlobStore.ReadRangeAsync(manifestRange, ManifestParser.MaxManifestBytes, $"{Path}: manifest.json", cancellationToken),
            $"{Path}: manifest.json");
        var entry = SelectEntry(entries);
        var configRange = archive.Find(entry.Config)
            ?? throw new InvalidDataException($"{Path}: manifest.json names config '{entry.Config}', which the archive does not contain.");
        var configBytes = await ArchiveBlobStore.ReadRangeAsync(configRange, ManifestParser.MaxConfigBytes, $"{Path}: {entry.Config}", cancellationToken);
        var configDigest = Digest.Sha256(configBytes);

        if (archive.Contains("index.json"))
        {
            var real = await FindOciManifestAsync(archive, store, configDigest, cancellationToken);
            if (real is { } found)
            {
                return await OciLayoutResolver.BuildAsync(store, found.Manifest, found.Raw, null, null, cancellationToken);
            }
        }

        var config = ManifestParser.ParseConfig(configBytes, $"{Path}: {entry.Config}");
        var layers = new List<(Descriptor Descriptor, FileRange Range, string Member)>();
        for (var i = 0; i < entry.Layers.Count; i++)
        {
            var member = entry.Layers[i];
            var range = archive.Find(member)
                ?? throw new InvalidDataException($"{Path}: manifest.json names layer '{member}', which the archive does not contain.");
            var mediaType = await SniffMediaTypeAsync(range, cancellationToken);
            var digest = await LayerDigestAsync(member, range, mediaType, i < config.DiffIds.Count ? config.DiffIds[i] : null, cancellationToken);
            layers.Add((new Descriptor { MediaType = mediaType, Digest = digest, Size = range.Length }, range, member));
        }

        var (manifest, rawManifest) = SynthesiseManifest(configDigest, configBytes.Length, layers.Select(l => l.Descriptor));
        return new ResolvedImage
        {
            Name = Name,
            Manifest = manifest,
            Config = new ImageConfigBlob(configBytes, config, $"{Path}: {entry.Config}"),
            // The manifest's own descriptors, so Layers[i].Descriptor is Manifest.Layers[i] as for every other source.
            Layers = layers.Select((l, i) => (Layers.ILayer)new FileRangeLayer(manifest.Layers[i], l.Range, $"{Path}: {l.Member}")).ToList(),
            // Synthesised, so Manifest.Digest is the digest of exactly these bytes: pushing them gives that digest.
            RawManifest = rawManifest,
        };
    }

    private async Task<ResolvedImage> ResolveOciArchiveAsync(TarArchiveIndex archive, ArchiveBlobStore store, Platform platform, CancellationToken cancellationToken)
    {
        var indexRange = archive.Find("index.json")
            ?? throw new InvalidDataException($"{Path}: has neither manifest.json nor index.json; not an image archive.");
        var layoutRange = archive.Find("oci-layout");
        if (layoutRange is not null)
        {
            OciLayoutFile.Check(
                await ArchiveBlobStore.ReadRangeAsync(layoutRange, ManifestParser.MaxManifestBytes, $"{Path}: oci-layout", cancellationToken),
                $"{Path}: oci-layout");
        }

        var indexBytes = await ArchiveBlobStore.ReadRangeAsync(indexRange, ManifestParser.MaxManifestBytes, $"{Path}: index.json", cancellationToken);
        var index = OciLayoutResolver.ParseIndexJson(indexBytes, $"{Path}: index.json");
        return await OciLayoutResolver.ResolveAsync(store, index, Reference, platform, cancellationToken);
    }

    private DockerArchiveManifest SelectEntry(IReadOnlyList<DockerArchiveManifest> entries)
    {
        if (entries.Count == 0)
        {
            throw new ImageNotFoundException($"{Name}: manifest.json lists no images.");
        }

        var available = string.Join(", ", entries.SelectMany(e => e.RepoTags).DefaultIfEmpty("(no RepoTags; use @0, @1…)"));
        if (Reference is null)
        {
            return entries.Count == 1
                ? entries[0]
                : throw new ImageNotFoundException($"{Name}: the archive holds {entries.Count} images; name one as docker-archive:FILE:NAME:TAG. Available: {available}.");
        }

        if (Reference.StartsWith('@') && int.TryParse(Reference.AsSpan(1), out var position))
        {
            return position >= 0 && position < entries.Count
                ? entries[position]
                : throw new ImageNotFoundException($"{Name}: the archive holds {entries.Count} images; there is no image @{position}.");
        }

        var exact = entries.FirstOrDefault(e => e.RepoTags.Contains(Reference, StringComparer.Ordinal));
        if (exact is not null)
        {
            return exact;
        }

        if (ImageReference.TryParse(Reference, out var wanted, out _))
        {
            var normalised = entries.FirstOrDefault(e => e.RepoTags.Any(t => ImageReference.TryParse(t, out var tag, out _)
                && tag.RepositoryName == wanted.RepositoryName && (tag.Tag ?? "latest") == (wanted.Tag ?? "latest")));
            if (normalised is not null)
            {
                return normalised;
            }
        }

        throw new ImageNotFoundException($"{Name}: no image named '{Reference}' in the archive. Available: {available}.");
    }

    // Docker 25+ archives carry the image's real OCI manifest; find the one whose config is the one manifest.json names.
    private static async Task<(ImageManifest Manifest, byte[] Raw)?> FindOciManifestAsync(TarArchiveIndex archive, ArchiveBlobStore store, Digest configDigest, CancellationToken cancellationToken)
    {
        var indexRange = archive.Find("index.json");
        if (indexRange is null)
        {
            return null;
        }

        var indexBytes = await ArchiveBlobStore.ReadRangeAsync(indexRange, ManifestParser.MaxManifestBytes, $"{archive.Path}: index.json", cancellationToken);
        var pending = new Queue<Descriptor>(OciLayoutResolver.ParseIndexJson(indexBytes, $"{archive.Path}: index.json").Manifests);
        for (var visited = 0; pending.Count > 0 && visited < 256; visited++)
        {
            var descriptor = pending.Dequeue();
            if (!descriptor.MediaType.IsIndex && !descriptor.MediaType.IsManifest || !archive.Contains($"blobs/{descriptor.Digest.Algorithm}/{descriptor.Digest.Hex}"))
            {
                continue;
            }

            var (document, raw) = await OciLayoutResolver.ReadManifestAsync(store, descriptor, cancellationToken);
            if (document.Manifest is { } manifest && manifest.Config.Digest == configDigest)
            {
                return (manifest, raw);
            }

            if (document.Index is { } index)
            {
                foreach (var child in index.Manifests)
                {
                    pending.Enqueue(child);
                }
            }
        }

        return null;
    }

    // The layer's digest must be that of the member's bytes. A blobs/ path names it; a raw tar's is its diff ID;
    // otherwise (gzip layers under legacy names) hash the member once.
    private static async Task<Digest> LayerDigestAsync(string member, FileRange range, MediaType mediaType, string? diffId, CancellationToken cancellationToken)
    {
        var normalised = LayerPath.Normalise(member);
        if (normalised.StartsWith("blobs/", StringComparison.Ordinal)
            && Digest.TryParse(normalised["blobs/".Length..].Replace('/', ':'), out var named))
        {
            return named;
        }

        if (mediaType == DockerLayerTar && Digest.TryParse(diffId, out var diff))
        {
            return diff;
        }

        await using var stream = BoundedFileStream.Open(range.Path, range.Start, range.Length);
        using var sha = SHA256.Create();
        return Digest.FromSha256Hash(await sha.ComputeHashAsync(stream, cancellationToken));
    }

    // docker save stores layers raw, gzip or zstd without saying which: the bytes decide the media type.
    private static async Task<MediaType> SniffMediaTypeAsync(FileRange range, CancellationToken cancellationToken)
    {
        var head = new byte[LayerCompressionDetector.MagicLength];
        await using var stream = BoundedFileStream.Open(range.Path, range.Start, Math.Min(range.Length, head.Length));
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        return LayerCompressionDetector.Detect(head.AsSpan(0, read)) switch
        {
            LayerCompression.Gzip => MediaType.DockerLayerGzip,
            LayerCompression.Zstd => MediaType.OciLayerZstd,
            _ => DockerLayerTar,
        };
    }

    private (ImageManifest Manifest, byte[] Raw) SynthesiseManifest(Digest configDigest, long configSize, IEnumerable<Descriptor> layers)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", MediaType.DockerManifest.Value);
            WriteDescriptor(json, "config", MediaType.DockerConfig, configDigest, configSize);
            json.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                WriteDescriptor(json, null, layer.MediaType, layer.Digest, layer.Size);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var raw = buffer.ToArray();
        return (ManifestParser.Parse(raw, MediaType.DockerManifest.Value, $"{Name}: manifest.json").Manifest!, raw);
    }

    private static void WriteDescriptor(Utf8JsonWriter json, string? property, MediaType mediaType, Digest digest, long size)
    {
        if (property is null)
        {
            json.WriteStartObject();
        }
        else
        {
            json.WriteStartObject(property);
        }

        json.WriteString("mediaType", mediaType.Value);
        json.WriteNumber("size", size);
        json.WriteString("digest", digest.ToString());
        json.WriteEndObject();
    }
}
