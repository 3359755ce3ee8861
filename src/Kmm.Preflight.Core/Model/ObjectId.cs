namespace Kmm.Preflight.Core.Model;

/// <summary>Identifies a Kubernetes object for messages: kind, namespace and name.</summary>
/// <param name="Kind">The object's kind, e.g. <c>Module</c>.</param>
/// <param name="Namespace">The namespace (<c>default</c> when the object gives none).</param>
/// <param name="Name">The name.</param>
public sealed record ObjectId(string Kind, string Namespace, string Name)
{
    /// <summary>Formats as <c>Kind namespace/name</c>.</summary>
    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}
