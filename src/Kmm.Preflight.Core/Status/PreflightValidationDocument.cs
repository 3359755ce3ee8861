namespace Kmm.Preflight.Core.Status;

/// <summary>
/// A PreflightValidation or PreflightValidationOCP object with its <c>status.modules[]</c>, as the operator would
/// write it; <see cref="ToObjectTree"/> gives nested maps and lists any JSON or YAML writer can print.
/// </summary>
public sealed record PreflightValidationDocument
{
    /// <summary>The apiVersion, e.g. <c>kmm.sigs.x-k8s.io/v1beta2</c>.</summary>
    public required string ApiVersion { get; init; }

    /// <summary>The kind: <c>PreflightValidation</c> or <c>PreflightValidationOCP</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The object's name.</summary>
    public required string Name { get; init; }

    /// <summary>The object's namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>The spec fields, in order (e.g. <c>kernelVersion</c>, <c>pushBuiltImage</c>).</summary>
    public required IReadOnlyDictionary<string, object?> Spec { get; init; }

    /// <summary>The per-module statuses.</summary>
    public required IReadOnlyList<ModuleStatus> Modules { get; init; }

    /// <summary>The object as nested <see cref="IReadOnlyDictionary{TKey, TValue}"/> (insertion-ordered) and lists of strings, booleans and maps.</summary>
    public IReadOnlyDictionary<string, object?> ToObjectTree() => new OrderedDictionary<string, object?>
    {
        ["apiVersion"] = ApiVersion,
        ["kind"] = Kind,
        ["metadata"] = new OrderedDictionary<string, object?> { ["name"] = Name, ["namespace"] = Namespace },
        ["spec"] = Spec,
        ["status"] = new OrderedDictionary<string, object?> { ["modules"] = Modules.Select(m => m.ToCrdFields()).ToList() },
    };
}
