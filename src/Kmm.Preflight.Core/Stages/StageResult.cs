using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Core.Stages;

/// <summary>What one stage concluded about one module.</summary>
public sealed record StageResult
{
    /// <summary>The stage.</summary>
    public required VerificationStage Stage { get; init; }

    /// <summary>Whether the module is verified by this stage.</summary>
    public required bool Verified { get; init; }

    /// <summary>One sentence a person can act on.</summary>
    public required string Reason { get; init; }

    /// <summary>The checks made, in order.</summary>
    public IReadOnlyList<CheckResult> Checks { get; init; } = [];

    /// <summary>What the Image stage found in the image; null for other stages or when the image could not be opened.</summary>
    public ImageInspection? Image { get; init; }

    /// <summary>The image a Build or Sign stage produced (the next stage's input), pushed or not; null otherwise.</summary>
    public ResolvedImage? ProducedImage { get; init; }

    /// <summary>Where the produced image was pushed (<c>reference@digest</c>); null when it was not pushed.</summary>
    public string? PushedImage { get; init; }

    /// <summary>Where the produced image was saved (e.g. <c>oci:DIR:TAG</c>); null when it was not saved.</summary>
    public string? SavedImage { get; init; }

    /// <summary>A verified result.</summary>
    public static StageResult Pass(VerificationStage stage, string reason, IReadOnlyList<CheckResult>? checks = null)
        => new() { Stage = stage, Verified = true, Reason = reason, Checks = checks ?? [] };

    /// <summary>A failed result.</summary>
    public static StageResult Fail(VerificationStage stage, string reason, IReadOnlyList<CheckResult>? checks = null)
        => new() { Stage = stage, Verified = false, Reason = reason, Checks = checks ?? [] };
}
