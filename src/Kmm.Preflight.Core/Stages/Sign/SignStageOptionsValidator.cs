using Kmm.Preflight.Core.Signing;

namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>Checks <see cref="SignStageOptions"/>.</summary>
internal static class SignStageOptionsValidator
{
    public static IReadOnlyList<string> Validate(SignStageOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.HashAlgorithm))
        {
            errors.Add($"HashAlgorithm must be one of {string.Join(", ", Enum.GetNames<ModuleHashAlgorithm>())} (got {(int)options.HashAlgorithm})");
        }

        if (options.MaxFileBytes <= 0)
        {
            errors.Add($"MaxFileBytes must be positive (got {options.MaxFileBytes})");
        }

        if (options.MaxFiles <= 0)
        {
            errors.Add($"MaxFiles must be positive (got {options.MaxFiles})");
        }

        return errors;
    }
}
