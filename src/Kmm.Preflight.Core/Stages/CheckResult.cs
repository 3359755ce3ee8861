namespace Kmm.Preflight.Core.Stages;

/// <summary>One check a stage made: what, the outcome, what was found and where.</summary>
/// <param name="Name">A short stable name, e.g. <c>module-file</c>, <c>vermagic</c>, <c>modules.dep</c>.</param>
/// <param name="Outcome">The outcome.</param>
/// <param name="Detail">What was found, in one sentence.</param>
/// <param name="Path">The path in the image the check looked at, if any.</param>
/// <param name="Layer">The digest of the layer that provided <paramref name="Path"/>, if known.</param>
public sealed record CheckResult(string Name, CheckOutcome Outcome, string Detail, string? Path = null, string? Layer = null);
