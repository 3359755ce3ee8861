using System.Text.Json;
using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Mapping;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Core.Running;

/// <summary>
/// Turns a PreflightValidationOCP into a <see cref="PreflightTarget"/>. The newer shape gives the kernel and DTK
/// image; the older one names a release image, whose merged layers hold <c>release-manifests/image-references</c>
/// (an ImageStream whose <c>driver-toolkit</c> tag names the DTK image), whose <c>etc/driver-toolkit-release.json</c>
/// gives <c>KERNEL_VERSION</c> (or <c>RT_KERNEL_VERSION</c> with <c>useRTKernel</c>).
/// </summary>
public sealed class KernelTargetResolver
{
    /// <summary>The path of the release payload's image list.</summary>
    public const string ImageReferencesPath = "/release-manifests/image-references";

    /// <summary>The path of the DTK image's kernel description.</summary>
    public const string DriverToolkitReleasePath = "/etc/driver-toolkit-release.json";

    private const long MaxJsonBytes = 16L * 1024 * 1024;

    private readonly IImageOpener _images;
    private readonly Platform _platform;

    /// <summary>Creates a resolver reading images through <paramref name="images"/> for <paramref name="platform"/>.</summary>
    public KernelTargetResolver(IImageOpener images, Platform? platform = null)
    {
        _images = images ?? throw new ArgumentNullException(nameof(images));
        _platform = platform ?? Platform.Default;
    }

    /// <summary>Resolves the target of <paramref name="validation"/>.</summary>
    /// <exception cref="InvalidDataException">The release or DTK image lacks the files or fields needed; the message says which.</exception>
    /// <exception cref="ImageAccessException">An image could not be opened.</exception>
    /// <exception cref="FormatException">The kernel found has fewer than three fields.</exception>
    public async Task<PreflightTarget> ResolveAsync(PreflightValidationOcp validation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(validation);
        string kernel;
        string? dtk;
        var spec = new OrderedFieldDictionary();
        if (!string.IsNullOrEmpty(validation.KernelVersion))
        {
            kernel = validation.KernelVersion;
            dtk = validation.DtkImage;
            spec["kernelVersion"] = kernel;
            if (dtk is not null)
            {
                spec["dtkImage"] = dtk;
            }
        }
        else
        {
            var release = validation.ReleaseImage ?? throw new InvalidDataException($"PreflightValidationOCP {validation.Namespace}/{validation.Name}: spec sets neither kernelVersion nor releaseImage");
            dtk = await ReadDriverToolkitImageAsync(release, cancellationToken);
            kernel = await ReadKernelAsync(dtk, validation.UseRtKernel, cancellationToken);
            spec["releaseImage"] = release;
            spec["useRTKernel"] = validation.UseRtKernel;
        }

        spec["pushBuiltImage"] = validation.PushBuiltImage;
        return new PreflightTarget
        {
            Kernel = KernelRelease.Parse(kernel),
            DtkImage = dtk,
            PushBuiltImage = validation.PushBuiltImage,
            Kind = "PreflightValidationOCP",
            ApiVersion = validation.ApiVersion,
            Name = validation.Name,
            Namespace = validation.Namespace,
            Spec = spec,
        };
    }

    /// <summary>Reads everything the release image says about its kernel: the DTK image and its release file.</summary>
    /// <exception cref="InvalidDataException">The release or DTK image lacks the files or fields needed; the message says which.</exception>
    /// <exception cref="ImageAccessException">An image could not be opened.</exception>
    public async Task<DriverToolkitRelease> ReadReleaseAsync(string releaseImage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(releaseImage);
        var dtk = await ReadDriverToolkitImageAsync(releaseImage, cancellationToken);
        using var json = await ReadJsonAsync(dtk, DriverToolkitReleasePath, cancellationToken);
        var root = json.RootElement;
        string? Field(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(value.GetString()) ? value.GetString() : null;
        return new DriverToolkitRelease
        {
            ReleaseImage = releaseImage,
            DriverToolkitImage = dtk,
            KernelVersion = Field("KERNEL_VERSION") ?? throw new InvalidDataException($"{DriverToolkitReleasePath} in driver-toolkit image {dtk} has no KERNEL_VERSION"),
            RtKernelVersion = Field("RT_KERNEL_VERSION"),
            RhelVersion = Field("RHEL_VERSION"),
        };
    }

    /// <summary>The DTK image named by the <c>driver-toolkit</c> tag of the release image's <c>image-references</c>.</summary>
    public async Task<string> ReadDriverToolkitImageAsync(string releaseImage, CancellationToken cancellationToken = default)
    {
        using var json = await ReadJsonAsync(releaseImage, ImageReferencesPath, cancellationToken);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var kind) || kind.GetString() != "ImageStream")
        {
            throw new InvalidDataException($"{ImageReferencesPath} in release image {releaseImage} is not an ImageStream");
        }

        if (root.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
            && spec.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array)
        {
            foreach (var tag in tags.EnumerateArray())
            {
                if (tag.ValueKind == JsonValueKind.Object && tag.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                    && name.GetString() == "driver-toolkit"
                    && tag.TryGetProperty("from", out var from) && from.ValueKind == JsonValueKind.Object
                    && from.TryGetProperty("name", out var image) && image.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(image.GetString()))
                {
                    return image.GetString()!;
                }
            }
        }

        throw new InvalidDataException($"{ImageReferencesPath} in release image {releaseImage} has no spec.tags entry named driver-toolkit with from.name");
    }

    /// <summary>The kernel of a DTK image: <c>KERNEL_VERSION</c>, or <c>RT_KERNEL_VERSION</c> when <paramref name="realTime"/>.</summary>
    public async Task<string> ReadKernelAsync(string dtkImage, bool realTime, CancellationToken cancellationToken = default)
    {
        using var json = await ReadJsonAsync(dtkImage, DriverToolkitReleasePath, cancellationToken);
        var key = realTime ? "RT_KERNEL_VERSION" : "KERNEL_VERSION";
        if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(key, out var value)
            && value.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(value.GetString()))
        {
            return value.GetString()!;
        }

        var hint = realTime ? " (the real-time kernel exists only on x86_64; use useRTKernel: false or an x86_64 release)" : string.Empty;
        throw new InvalidDataException($"{DriverToolkitReleasePath} in driver-toolkit image {dtkImage} has no {key}{hint}");
    }

    private async Task<JsonDocument> ReadJsonAsync(string image, string path, CancellationToken cancellationToken)
    {
        var files = await _images.OpenAsync(new ImageRequest { Reference = image, Platform = _platform }, cancellationToken);
        byte[] bytes;
        try
        {
            bytes = await files.ReadAllBytesAsync(path, MaxJsonBytes, cancellationToken);
        }
        catch (FileNotFoundException ex)
        {
            throw new InvalidDataException($"image {image} has no {path}", ex);
        }
        catch (SymlinkLoopException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }

        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} in image {image} is not valid JSON: {ex.Message}", ex);
        }
    }
}
