using Kmm.Preflight.Core.Engine;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>Checks <see cref="BuildStageOptions"/>.</summary>
internal static class BuildStageOptionsValidator
{
    public static IReadOnlyList<string> Validate(BuildStageOptions options)
    {
        var errors = new List<string>();
        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"Timeout must be positive (got {options.Timeout})");
        }

        Uri? host = null;
        try
        {
            host = options.ResolveEngineHost();
        }
        catch (UriFormatException ex)
        {
            errors.Add($"DOCKER_HOST is not a URI ({ex.Message})");
        }

        if (host is not null && EngineEndpoint.TryParse(host, out var error) is null)
        {
            errors.Add(error!);
        }

        if (string.IsNullOrWhiteSpace(options.Network))
        {
            errors.Add("Network must name a network (e.g. none, host, default)");
        }

        if (options.WorkDirectory is { } directory && !Directory.Exists(directory))
        {
            errors.Add($"WorkDirectory {directory} does not exist");
        }

        return errors;
    }
}
