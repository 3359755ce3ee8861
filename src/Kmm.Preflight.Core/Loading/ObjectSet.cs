using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Loading;

/// <summary>The objects read from one or more manifest files, in file order.</summary>
public sealed record ObjectSet
{
    /// <summary>The Modules.</summary>
    public IReadOnlyList<Module> Modules { get; init; } = [];

    /// <summary>The PreflightValidations.</summary>
    public IReadOnlyList<PreflightValidation> PreflightValidations { get; init; } = [];

    /// <summary>The PreflightValidationOCPs.</summary>
    public IReadOnlyList<PreflightValidationOcp> PreflightValidationsOcp { get; init; } = [];

    /// <summary>The Secrets.</summary>
    public IReadOnlyList<Secret> Secrets { get; init; } = [];

    /// <summary>The ConfigMaps.</summary>
    public IReadOnlyList<ConfigMap> ConfigMaps { get; init; } = [];

    /// <summary>An empty set.</summary>
    public static ObjectSet Empty { get; } = new();

    /// <summary>This set followed by <paramref name="other"/>.</summary>
    public ObjectSet Concat(ObjectSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new ObjectSet
        {
            Modules = [.. Modules, .. other.Modules],
            PreflightValidations = [.. PreflightValidations, .. other.PreflightValidations],
            PreflightValidationsOcp = [.. PreflightValidationsOcp, .. other.PreflightValidationsOcp],
            Secrets = [.. Secrets, .. other.Secrets],
            ConfigMaps = [.. ConfigMaps, .. other.ConfigMaps],
        };
    }

    /// <summary>The Secret <paramref name="name"/> in <paramref name="namespace"/>, or null.</summary>
    public Secret? FindSecret(string @namespace, string name)
        => Secrets.LastOrDefault(s => s.Namespace == @namespace && s.Name == name);

    /// <summary>The ConfigMap <paramref name="name"/> in <paramref name="namespace"/>, or null.</summary>
    public ConfigMap? FindConfigMap(string @namespace, string name)
        => ConfigMaps.LastOrDefault(c => c.Namespace == @namespace && c.Name == name);
}
