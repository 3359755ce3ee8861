namespace Kmm.Preflight.Runner;

/// <summary>Where a command writes: the process's standard streams, or captured ones in tests.</summary>
/// <param name="Out">Text output (stdout).</param>
/// <param name="Error">Messages and progress (stderr).</param>
/// <param name="OutputStream">Raw stdout for binary output (<c>cat</c>); text written to <paramref name="Out"/> is flushed first.</param>
/// <param name="IsOutputTerminal">Whether stdout is a terminal (chooses the default output format).</param>
/// <param name="IsErrorTerminal">Whether stderr is a terminal (progress is shown only then).</param>
/// <param name="In">Standard input (<c>--modules -</c>); null reads nothing (empty).</param>
internal sealed record RunnerConsole(TextWriter Out, TextWriter Error, Stream OutputStream, bool IsOutputTerminal, bool IsErrorTerminal, TextReader? In = null)
{
    /// <summary>The process's own streams.</summary>
    public static RunnerConsole FromProcess() => new(
        Console.Out,
        Console.Error,
        Console.OpenStandardOutput(),
        !Console.IsOutputRedirected,
        !Console.IsErrorRedirected,
        Console.In);
}
