using System.Globalization;

namespace Kmm.Preflight.Core.Status;

/// <summary>One entry of the CRD's <c>status.modules[]</c>.</summary>
public sealed record ModuleStatus
{
    /// <summary>The Module's name.</summary>
    public required string Name { get; init; }

    /// <summary>The Module's namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>Whether the module is verified (<c>verificationStatus: True</c>).</summary>
    public required bool Verified { get; init; }

    /// <summary>The stage; <see cref="VerificationStage.Done"/> once the verdict is final.</summary>
    public required VerificationStage Stage { get; init; }

    /// <summary>One sentence a person can act on.</summary>
    public required string StatusReason { get; init; }

    /// <summary>When the status last changed (UTC).</summary>
    public required DateTimeOffset LastTransitionTime { get; init; }

    /// <summary>The CRD's <c>verificationStatus</c>: <c>True</c> or <c>False</c>.</summary>
    public string VerificationStatus => Verified ? "True" : "False";

    /// <summary>The CRD's <c>verificationStage</c> text.</summary>
    public string VerificationStageText => Stage.ToString();

    /// <summary>The CRD's <c>lastTransitionTime</c> in RFC 3339 UTC, e.g. <c>2026-11-24T04:30:00Z</c>.</summary>
    public string LastTransitionTimeText => LastTransitionTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The entry as the CRD writes it, keys in the operator's order, for any JSON or YAML writer.</summary>
    public IReadOnlyDictionary<string, object?> ToCrdFields() => new OrderedDictionary<string, object?>
    {
        ["name"] = Name,
        ["namespace"] = Namespace,
        ["verificationStatus"] = VerificationStatus,
        ["verificationStage"] = VerificationStageText,
        ["statusReason"] = StatusReason,
        ["lastTransitionTime"] = LastTransitionTimeText,
    };
}
