using System.Text.RegularExpressions;
using Kmm.Preflight.Core.Mapping;
using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>
/// What a build needs from the input files: the Dockerfile from its ConfigMap (key <c>dockerfile</c>), every build
/// secret (never a build without one), and the build arguments in KMM's order.
/// </summary>
internal sealed partial record BuildInputs
{
    public const string DockerfileKey = "dockerfile";

    public required string ConfigMap { get; init; }

    public required string Dockerfile { get; init; }

    public required IReadOnlyList<(string Name, IReadOnlyDictionary<string, byte[]> Data)> Secrets { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> BuildArgs { get; init; }

    /// <summary>The inputs, or null and a reason saying what is missing.</summary>
    public static BuildInputs? Gather(StageContext context, out string? failure)
    {
        var mapping = context.Mapping;
        var module = mapping.Module;
        var build = mapping.Build!;
        failure = null;
        if (build.DockerfileConfigMap is not { Length: > 0 } name)
        {
            failure = $"the build section of {module.Id} ({mapping.Describe()}) names no dockerfileConfigMap, so there is nothing to build; set build.dockerfileConfigMap";
            return null;
        }

        var configMap = context.Objects.FindConfigMap(module.Namespace, name);
        if (configMap is null)
        {
            failure = $"ConfigMap {name}, the Dockerfile of {module.Id}, was not found in namespace {module.Namespace}; add the ConfigMap to the input files";
            return null;
        }

        if (!configMap.Data.TryGetValue(DockerfileKey, out var dockerfile) || string.IsNullOrWhiteSpace(dockerfile))
        {
            failure = $"ConfigMap {module.Namespace}/{name} has no '{DockerfileKey}' key (it has: {string.Join(", ", configMap.Data.Keys.DefaultIfEmpty("none"))}); KMM reads the Dockerfile from that key";
            return null;
        }

        var secrets = new List<(string, IReadOnlyDictionary<string, byte[]>)>();
        foreach (var secretName in build.Secrets.Distinct(StringComparer.Ordinal))
        {
            var secret = context.Objects.FindSecret(module.Namespace, secretName);
            if (secret is null)
            {
                failure = $"build secret {secretName} of {module.Id} was not found in namespace {module.Namespace}; add the Secret to the input files (a build never runs without its secrets)";
                return null;
            }

            if (!SafeName().IsMatch(secretName) || secret.Data.Keys.Any(k => !SafeName().IsMatch(k)))
            {
                failure = $"build secret {module.Namespace}/{secretName} has a name or key that cannot be a file name under /run/secrets/{secretName}/; Kubernetes allows only letters, digits, '-', '_' and '.'";
                return null;
            }

            secrets.Add((secretName, secret.Data));
        }

        return new BuildInputs
        {
            ConfigMap = $"{module.Namespace}/{name}",
            Dockerfile = dockerfile,
            Secrets = secrets,
            BuildArgs = BuildArguments.Compose(mapping, dockerfile, context.DtkImage).Select(a => KeyValuePair.Create(a.Name, a.Value)).ToList(),
        };
    }

    // Kubernetes object names and Secret keys; never "." or "..", which would escape the secret's directory.
    [GeneratedRegex(@"^(?!\.{1,2}$)[-._a-zA-Z0-9]+$")]
    private static partial Regex SafeName();
}
