namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>One instruction of a Dockerfile: its keyword, its arguments with line continuations joined, and its lines.</summary>
/// <param name="Keyword">The keyword, upper case (<c>FROM</c>, <c>RUN</c>…).</param>
/// <param name="Arguments">Everything after the keyword, continuations joined, comment lines inside dropped.</param>
/// <param name="FirstLine">The index of its first line.</param>
/// <param name="LastLine">The index of its last line (a heredoc body included).</param>
internal sealed record DockerfileInstruction(string Keyword, string Arguments, int FirstLine, int LastLine)
{
    /// <summary>The arguments split on white space (quotes are not interpreted: enough for flags and image names).</summary>
    public IReadOnlyList<string> Words => Arguments.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The <c>--name=value</c> flags before the first plain argument.</summary>
    public IEnumerable<string> Flags => Words.TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal));

    /// <summary>The words after the flags.</summary>
    public IEnumerable<string> Operands => Words.SkipWhile(w => w.StartsWith("--", StringComparison.Ordinal));
}
