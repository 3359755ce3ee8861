namespace Kmm.Preflight.Core.Modules;

/// <summary>One module listed in <c>modules.dep</c>.</summary>
/// <param name="Name">The module name (<c>-</c> normalised to <c>_</c>).</param>
/// <param name="Path">The module file as listed: relative to the kernel directory, or absolute in old formats.</param>
/// <param name="Dependencies">The module files it depends on, as listed.</param>
public sealed record ModulesDepEntry(string Name, string Path, IReadOnlyList<string> Dependencies);
