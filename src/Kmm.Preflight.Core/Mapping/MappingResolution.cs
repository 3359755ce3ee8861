namespace Kmm.Preflight.Core.Mapping;

/// <summary>The outcome of choosing a kernel mapping: a <see cref="ResolvedMapping"/> or the reason there is none.</summary>
public sealed record MappingResolution
{
    /// <summary>The mapping; null when <see cref="FailureReason"/> says why there is none.</summary>
    public ResolvedMapping? Mapping { get; init; }

    /// <summary>One sentence saying why no mapping applies (no match, invalid regexp, bad variable syntax).</summary>
    public string? FailureReason { get; init; }

    /// <summary>Whether a mapping was found.</summary>
    public bool Succeeded => Mapping is not null;
}
