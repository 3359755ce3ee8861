namespace Kmm.Preflight.Core.Engine;

/// <summary>The end of a build: the image ID, or the failure.</summary>
internal sealed record EngineBuildResult
{
    /// <summary>The built image's ID (<c>sha256:…</c>); null when the build failed.</summary>
    public string? ImageId { get; init; }

    /// <summary>Why the build failed; null when it succeeded.</summary>
    public EngineBuildFailure? Failure { get; init; }
}
