namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>Checks <see cref="SignStageOptions"/>.</summary>
internal static class SignStageOptionsValidator
{
    public static IReadOnlyList<string> Validate(SignStageOptions options)
    {
        var errors = new List<string>();
        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"Timeout must be positive (got {options.Timeout})");
        }

        return errors;
    }
}
