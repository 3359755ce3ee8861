using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kmm.Preflight.Core.Engine;

/// <summary>The engine's JSON, source-generated so the Native AOT tool needs no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(EngineVersionDocument))]
[JsonSerializable(typeof(EngineMessage))]
[JsonSerializable(typeof(EngineErrorDocument))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class EngineJson : JsonSerializerContext;

/// <summary><c>GET /version</c>.</summary>
internal sealed record EngineVersionDocument
{
    public string? Version { get; init; }

    public string? ApiVersion { get; init; }

    public List<EngineComponent>? Components { get; init; }
}

/// <summary>One entry of <c>Components</c>; podman's is named <c>Podman Engine</c>.</summary>
internal sealed record EngineComponent
{
    public string? Name { get; init; }

    public string? Version { get; init; }
}

/// <summary>One line of a build or load stream (Docker's <c>jsonmessage</c>).</summary>
internal sealed record EngineMessage
{
    public string? Stream { get; init; }

    public string? Status { get; init; }

    public string? Id { get; init; }

    public string? Error { get; init; }

    public EngineErrorDetail? ErrorDetail { get; init; }

    /// <summary>An object (<c>{"ID": …}</c>) or, for BuildKit's <c>moby.buildkit.trace</c>, a base64 string.</summary>
    public JsonElement Aux { get; init; }
}

/// <summary><c>errorDetail</c> of a stream line.</summary>
internal sealed record EngineErrorDetail
{
    public string? Message { get; init; }
}

/// <summary>An error answer: <c>{"message": …}</c> (podman adds <c>cause</c>).</summary>
internal sealed record EngineErrorDocument
{
    public string? Message { get; init; }

    public string? Cause { get; init; }
}
