namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>One line a build printed.</summary>
/// <param name="Module">The module being built, <c>namespace/name</c>.</param>
/// <param name="Line">The line, without its end.</param>
public sealed record BuildOutputLine(string Module, string Line);
