using System.CommandLine;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>Options every command accepts.</summary>
internal static class GlobalOptions
{
    /// <summary>Creates <c>--verbose</c>; recursive, so it is accepted after any subcommand.</summary>
    public static Option<bool> CreateVerbose() => new("--verbose", "--debug")
    {
        Description = "Show error details and debug logs on stderr (never secrets).",
        Recursive = true,
    };
}
