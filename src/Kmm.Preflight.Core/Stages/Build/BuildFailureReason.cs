using Kmm.Preflight.Core.Engine;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>The reason of a failed build, quoting the engine: the step, its exit code, the engine's message and the step's last lines.</summary>
internal static class BuildFailureReason
{
    private const int QuotedLines = 5;

    public static string Describe(StageContext context, BuildInputs inputs, EngineVersion engine, EngineBuildFailure failure)
    {
        var mapping = context.Mapping;
        if (inputs.Secrets.Count > 0 && failure.Message.Contains("--mount", StringComparison.Ordinal))
        {
            return $"the container engine ({engine}) cannot mount build secrets into RUN steps ({failure.Message}), so {mapping.Module.Id} was not built; "
                + "use dockerd with BuildKit or podman 4 or later (a build never runs without its secrets)";
        }

        var step = failure.Step is null ? string.Empty : $" at step '{failure.Step}'";
        var exit = failure.ExitCode is { } code ? $" with exit code {code}" : string.Empty;
        var tail = failure.OutputTail.Where(l => l.Trim().Length > 0).TakeLast(QuotedLines).ToList();
        var output = tail.Count == 0 ? string.Empty : $"; last output: {string.Join(" | ", tail.Select(l => l.Trim()))}";
        return $"building {mapping.Module.Id} for kernel {mapping.Kernel} from ConfigMap {inputs.ConfigMap} failed{step}{exit} ({engine}: {failure.Message}){output}; "
            + "fix the Dockerfile; nothing was pushed";
    }
}
