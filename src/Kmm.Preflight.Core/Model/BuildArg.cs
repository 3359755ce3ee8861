namespace Kmm.Preflight.Core.Model;

/// <summary>One <c>build.buildArgs[]</c> entry.</summary>
/// <param name="Name">The argument name.</param>
/// <param name="Value">The value (not substituted).</param>
public sealed record BuildArg(string Name, string Value);
