using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Core.Running;

/// <summary>The results of one preflight run.</summary>
public sealed record PreflightReport
{
    /// <summary>The target.</summary>
    public required PreflightTarget Target { get; init; }

    /// <summary>One result per module, in input order.</summary>
    public required IReadOnlyList<ModuleResult> Results { get; init; }

    /// <summary>How many times each layer digest was streamed during the run (a layer shared by many images is streamed once).</summary>
    public IReadOnlyDictionary<string, int> LayerScans { get; init; } = new Dictionary<string, int>();

    /// <summary>Compressed layer bytes read during the run.</summary>
    public long CompressedBytesRead { get; init; }

    /// <summary>
    /// How layers were read where worth telling, by layer digest: from a verified table of contents (eStargz,
    /// zstd:chunked), or streamed instead and why (the registry ignored <c>Range</c>, the TOC failed verification).
    /// </summary>
    public IReadOnlyDictionary<string, string> LayerReads { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether every module is verified.</summary>
    public bool AllVerified => Results.All(r => r.Status.Verified);

    /// <summary>The PreflightValidation(OCP) object with <c>status.modules[]</c>, as the operator would write it.</summary>
    public PreflightValidationDocument ToDocument() => new()
    {
        ApiVersion = Target.ApiVersion,
        Kind = Target.Kind,
        Name = Target.Name,
        Namespace = Target.Namespace,
        Spec = Target.Spec,
        Modules = [.. Results.Select(r => r.Status)],
    };
}
