using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Sources.Layout;

/// <summary>
/// Resolves an image in an OCI layout (directory or archive): selects the <c>index.json</c> entry by tag, descends
/// nested indexes to the requested platform, and reads manifest and config.
/// </summary>
internal static class OciLayoutResolver
{
    /// <summary>The annotation holding an entry's tag (or full reference) in <c>index.json</c>.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    /// <summary>The annotation containerd and Docker 25+ add with the full image name.</summary>
    public const string ContainerdNameAnnotation = "io.containerd.image.name";

    // Nested indexes deeper than this are not real images; the cap keeps a cyclic or hostile layout from looping.
    private const int MaxIndexDepth = 8;

    /// <summary>Parses <c>index.json</c>.</summary>
    public static ImageIndex ParseIndexJson(byte[] content, string fileName)
    {
        var parsed = ManifestParser.Parse(content, null, fileName);
        return parsed.Index ?? throw new InvalidDataException($"{fileName}: is a manifest, not an image index.");
    }

    /// <summary>Resolves the entry tagged <paramref name="tag"/> (null: the only image) for <paramref name="platform"/>.</summary>
    public static async Task<ResolvedImage> ResolveAsync(
        IBlobStore store, ImageIndex root, string? tag, Platform platform, CancellationToken cancellationToken)
    {
        var candidates = SelectByTag(store.Name, root, tag);
        Descriptor chosen;
        if (candidates.Count == 1)
        {
            chosen = candidates[0];
        }
        else
        {
            // Several entries under one tag (or untagged per-platform entries): they are the platforms of one image.
            chosen = candidates.FirstOrDefault(c => c.Platform is not null && platform.IsSatisfiedBy(c.Platform))
                ?? candidates.FirstOrDefault(c => c.MediaType.IsIndex)
                ?? throw new ImageNotFoundException(
                    $"{store.Name}: no image for platform {platform}; available platforms: {DescribePlatforms(candidates)}.");
        }

        return await ResolveDescriptorAsync(store, chosen, platform, cancellationToken);
    }

    /// <summary>Resolves <paramref name="descriptor"/> (a manifest or an index) for <paramref name="platform"/>.</summary>
    public static async Task<ResolvedImage> ResolveDescriptorAsync(
        IBlobStore store, Descriptor descriptor, Platform platform, CancellationToken cancellationToken)
    {
        ImageIndex? outerIndex = null;
        var current = descriptor;
        for (var depth = 0; ; depth++)
        {
            var (document, raw) = await ReadManifestAsync(store, current, cancellationToken);
            if (document.Manifest is { } manifest)
            {
                return await BuildAsync(store, manifest, raw, outerIndex, current.Platform, cancellationToken);
            }

            var index = document.Index!;
            if (depth >= MaxIndexDepth)
            {
                throw new InvalidDataException($"{store.Name}: indexes nested more than {MaxIndexDepth} deep at {index.Digest}.");
            }

            outerIndex ??= index;
            current = SelectPlatform(store.Name, index, platform);
        }
    }

    /// <summary>Builds the resolved image from its manifest (<paramref name="rawManifest"/> parsed), reading the config.</summary>
    public static async Task<ResolvedImage> BuildAsync(
        IBlobStore store, ImageManifest manifest, byte[] rawManifest, ImageIndex? index, Platform? entryPlatform, CancellationToken cancellationToken)
    {
        // Read now, as a local file costs next to nothing, so a malformed config is reported when the image is resolved.
        var configBytes = await store.ReadBlobAsync(manifest.Config, ManifestParser.MaxConfigBytes, cancellationToken);
        return new ResolvedImage
        {
            Name = store.Name,
            Index = index,
            Manifest = manifest,
            Config = new ImageConfigBlob(configBytes, $"{store.Name}: config {manifest.Config.Digest}"),
            Platform = entryPlatform,
            Layers = manifest.Layers.Select(store.OpenLayer).ToList(),
            RawManifest = rawManifest,
        };
    }

    /// <summary>Reads and parses a manifest or index blob; returns the parsed document and its bytes.</summary>
    public static async Task<(ManifestDocument Document, byte[] Raw)> ReadManifestAsync(IBlobStore store, Descriptor descriptor, CancellationToken cancellationToken)
    {
        if (!descriptor.MediaType.IsIndex && !descriptor.MediaType.IsManifest)
        {
            throw new InvalidDataException(
                $"{store.Name}: entry {descriptor.Digest} has media type '{descriptor.MediaType}', which is neither an image manifest nor an index.");
        }

        var bytes = await store.ReadBlobAsync(descriptor, ManifestParser.MaxManifestBytes, cancellationToken);
        return (ManifestParser.Parse(bytes, descriptor.MediaType.Value, $"{store.Name}: manifest {descriptor.Digest}"), bytes);
    }

    /// <summary>The tags (ref names) of the entries of <paramref name="index"/>, for messages.</summary>
    public static string DescribeTags(ImageIndex index)
    {
        var tags = index.Manifests
            .Select(m => m.Annotations.GetValueOrDefault(RefNameAnnotation) ?? m.Annotations.GetValueOrDefault(ContainerdNameAnnotation))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return tags.Count == 0 ? "(no tagged entries)" : string.Join(", ", tags);
    }

    private static List<Descriptor> SelectByTag(string name, ImageIndex index, string? tag)
    {
        if (index.Manifests.Count == 0)
        {
            throw new ImageNotFoundException($"{name}: the layout holds no images (index.json lists no manifests).");
        }

        if (tag is null)
        {
            var distinctTags = index.Manifests
                .Select(m => m.Annotations.GetValueOrDefault(RefNameAnnotation))
                .Distinct(StringComparer.Ordinal)
                .Count();
            if (index.Manifests.Count == 1 || distinctTags == 1)
            {
                return index.Manifests.ToList();
            }

            throw new ImageNotFoundException(
                $"{name}: the layout holds {index.Manifests.Count} images; name one as oci:DIR:TAG. Available tags: {DescribeTags(index)}.");
        }

        var digestText = tag.StartsWith('@') ? tag[1..] : tag;
        if (Digest.TryParse(digestText, out var digest))
        {
            var byDigest = index.Manifests.Where(m => m.Digest == digest).ToList();
            if (byDigest.Count > 0)
            {
                return byDigest;
            }
        }

        var exact = index.Manifests.Where(m => m.Annotations.GetValueOrDefault(RefNameAnnotation) == tag
            || m.Annotations.GetValueOrDefault(ContainerdNameAnnotation) == tag).ToList();
        if (exact.Count > 0)
        {
            return exact;
        }

        var loose = index.Manifests.Where(m => LooselyMatches(m, tag)).ToList();
        if (loose.Count > 0)
        {
            return loose;
        }

        throw new ImageNotFoundException($"{name}: no image tagged '{tag}'. Available tags: {DescribeTags(index)}.");
    }

    // A tag given for a full ref name ("v1" for "example.com/repo:v1"), or a full reference given for a bare tag.
    private static bool LooselyMatches(Descriptor entry, string tag)
    {
        foreach (var refName in new[] { entry.Annotations.GetValueOrDefault(RefNameAnnotation), entry.Annotations.GetValueOrDefault(ContainerdNameAnnotation) })
        {
            if (refName is null)
            {
                continue;
            }

            if (IsBareTag(tag) && TagOf(refName) == tag)
            {
                return true;
            }

            if (IsBareTag(refName) && TagOf(tag) == refName)
            {
                return true;
            }

            if (!IsBareTag(refName) && !IsBareTag(tag)
                && References.ImageReference.TryParse(refName, out var a, out _) && References.ImageReference.TryParse(tag, out var b, out _)
                && a.RepositoryName == b.RepositoryName && (a.Tag ?? "latest") == (b.Tag ?? "latest"))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsBareTag(string text) => !text.Contains('/', StringComparison.Ordinal) && !text.Contains(':', StringComparison.Ordinal);

    private static string? TagOf(string reference)
    {
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        return colon > slash ? reference[(colon + 1)..] : null;
    }

    private static Descriptor SelectPlatform(string name, ImageIndex index, Platform platform)
    {
        var match = index.Select(platform);
        if (match is not null)
        {
            return match;
        }

        // An index of indexes usually has no platform on its inner-index entries: the first one decides.
        var nested = index.Manifests.FirstOrDefault(m => m.MediaType.IsIndex && m.Platform is null);
        if (nested is not null)
        {
            return nested;
        }

        throw new ImageNotFoundException(
            $"{name}: index {index.Digest} has no image for platform {platform}; available platforms: {DescribePlatforms(index.Manifests)}.");
    }

    private static string DescribePlatforms(IEnumerable<Descriptor> entries)
    {
        var platforms = entries.Select(e => e.Platform?.ToString()).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return platforms.Count == 0 ? "(none declared)" : string.Join(", ", platforms);
    }
}
