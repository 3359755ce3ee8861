namespace Kmm.Preflight.Core.Stages.Image;

/// <summary>Checks <see cref="ImageStageOptions"/>.</summary>
internal static class ImageStageOptionsValidator
{
    private const long Limit = 2L * 1024 * 1024 * 1024 - 1;

    public static IReadOnlyList<string> Validate(ImageStageOptions options)
    {
        var errors = new List<string>();
        if (options.MaxModuleBytes is <= 0 or > Limit)
        {
            errors.Add($"MaxModuleBytes must be between 1 and {Limit} (got {options.MaxModuleBytes})");
        }

        if (options.MaxModulesDepBytes is <= 0 or > Limit)
        {
            errors.Add($"MaxModulesDepBytes must be between 1 and {Limit} (got {options.MaxModulesDepBytes})");
        }

        return errors;
    }
}
