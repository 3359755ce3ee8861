using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Core.Signing;

namespace Kmm.Preflight.Core.Stages;

/// <summary>What the Image stage found in an image.</summary>
public sealed record ImageInspection
{
    /// <summary>The image reference checked.</summary>
    public required string Reference { get; init; }

    /// <summary>The platform manifest's digest, when the image was opened.</summary>
    public string? Digest { get; init; }

    /// <summary>The directory searched, e.g. <c>/opt/lib/modules/6.1.0-56-amd64/</c>.</summary>
    public required string KernelDirectory { get; init; }

    /// <summary>The module file found, or null.</summary>
    public string? ModulePath { get; init; }

    /// <summary>The digest of the layer providing <see cref="ModulePath"/>, or null.</summary>
    public string? ModuleLayer { get; init; }

    /// <summary>The module's <c>.modinfo</c>, when it was read.</summary>
    public ModInfo? ModInfo { get; init; }

    /// <summary>The module's signature, when it is signed.</summary>
    public ModuleSignatureInfo? Signature { get; init; }

    /// <summary>Compressed layer bytes read for this image by this check (0 when everything came from the cache).</summary>
    public long CompressedBytesRead { get; init; }

    /// <summary>
    /// How layers were read for this check, by layer digest, where that is worth telling: from a verified table of
    /// contents (eStargz, zstd:chunked), or streamed instead and why. Empty when every layer was simply streamed.
    /// </summary>
    public IReadOnlyDictionary<string, string> LayerReads { get; init; } = new Dictionary<string, string>();
}
