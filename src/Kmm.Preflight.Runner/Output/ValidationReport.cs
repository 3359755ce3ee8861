using System.Globalization;

namespace Kmm.Preflight.Runner.Output;

/// <summary>The result of <c>validate</c>: the PreflightValidation(OCP) object that ran, with its module statuses.</summary>
/// <param name="ApiVersion">e.g. <c>kmm.sigs.x-k8s.io/v1beta2</c>.</param>
/// <param name="Kind"><c>PreflightValidation</c> or <c>PreflightValidationOCP</c>.</param>
/// <param name="Name">The object's name.</param>
/// <param name="Spec">The spec fields, in the order to print them (e.g. <c>kernelVersion</c>, <c>pushBuiltImage</c>).</param>
/// <param name="Modules">The module statuses, in a stable order (namespace, name).</param>
internal sealed record ValidationReport(
    string ApiVersion,
    string Kind,
    string Name,
    IReadOnlyList<KeyValuePair<string, object>> Spec,
    IReadOnlyList<ModuleStatusRow> Modules)
{
    /// <summary>The object as a tree of ordered maps, lists and scalars, shaped as the operator writes it.</summary>
    public OrderedDictionary<string, object> ToDocument()
    {
        var spec = new OrderedDictionary<string, object>();
        foreach (var (key, value) in Spec)
        {
            spec[key] = value;
        }

        var modules = Modules.Select(m => (object)new OrderedDictionary<string, object>
        {
            ["name"] = m.Name,
            ["namespace"] = m.Namespace,
            ["verificationStatus"] = m.Verified ? "True" : "False",
            ["verificationStage"] = m.Stage,
            ["statusReason"] = m.Reason,
            ["lastTransitionTime"] = m.LastTransitionTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        }).ToList();

        return new OrderedDictionary<string, object>
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = Kind,
            ["metadata"] = new OrderedDictionary<string, object> { ["name"] = Name },
            ["spec"] = spec,
            ["status"] = new OrderedDictionary<string, object> { ["modules"] = modules },
        };
    }
}
