namespace Kmm.Preflight.Core.Engine;

/// <summary>Why a build failed, as the engine told it.</summary>
internal sealed record EngineBuildFailure
{
    /// <summary>The engine's error message.</summary>
    public required string Message { get; init; }

    /// <summary>The Dockerfile step that failed as the engine names it (e.g. <c>[stage-1 3/3] RUN make</c>); null when unknown.</summary>
    public string? Step { get; init; }

    /// <summary>The failing command's exit code, when the engine gave one.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The last lines the failing step printed, oldest first.</summary>
    public IReadOnlyList<string> OutputTail { get; init; } = [];
}
