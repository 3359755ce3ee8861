namespace Kmm.Preflight.Core.Engine;

/// <summary>One line of a build or load stream (Docker's <c>jsonmessage</c>), the fields this project reads.</summary>
internal sealed record EngineMessage
{
    /// <summary>Output text (classic builder, podman), possibly several lines or part of one.</summary>
    public string? Stream { get; init; }

    /// <summary><c>moby.buildkit.trace</c> for BuildKit progress, <c>moby.image.id</c> for the result.</summary>
    public string? Id { get; init; }

    /// <summary><c>errorDetail.message</c>, else <c>error</c>.</summary>
    public string? Error { get; init; }

    /// <summary>A string <c>aux</c>: BuildKit's base64 protobuf status.</summary>
    public string? AuxText { get; init; }

    /// <summary><c>aux.ID</c>: the built image's ID.</summary>
    public string? AuxImageId { get; init; }
}
