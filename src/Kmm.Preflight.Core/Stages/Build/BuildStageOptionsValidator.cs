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

        return errors;
    }
}
