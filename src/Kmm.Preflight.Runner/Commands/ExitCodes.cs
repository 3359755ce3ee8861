namespace Kmm.Preflight.Runner.Commands;

/// <summary>The process exit codes every command uses.</summary>
internal static class ExitCodes
{
    /// <summary>Success; for <c>validate</c>, every module is verified.</summary>
    public const int Success = 0;

    /// <summary>The command ran but the answer is negative: a module is not verified, an image or path is missing, a registry refused.</summary>
    public const int Failure = 1;

    /// <summary>Unusable input: a bad option, a malformed reference, an unreadable manifest file.</summary>
    public const int UsageError = 2;

    /// <summary>Cancelled (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
