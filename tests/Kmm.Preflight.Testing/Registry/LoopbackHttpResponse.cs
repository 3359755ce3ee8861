using System.Text;

namespace Kmm.Preflight.Testing.Registry;

/// <summary>A response a <see cref="LoopbackHttpServer"/> handler returns.</summary>
/// <param name="Status">Status code.</param>
/// <param name="Body">Body bytes.</param>
/// <param name="ContentType">Content-Type, or null.</param>
public sealed record LoopbackHttpResponse(int Status, byte[] Body, string? ContentType = null)
{
    /// <summary>Extra headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>A JSON response.</summary>
    public static LoopbackHttpResponse Json(int status, string json) => new(status, Encoding.UTF8.GetBytes(json), "application/json");
}
