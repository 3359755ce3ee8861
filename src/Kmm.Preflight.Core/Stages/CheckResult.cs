namespace Kmm.Preflight.Core.Stages;

/// <summary>One check a stage made: what, the outcome, what was found and where.</summary>
/// <param name="Name">A short stable name, e.g. <c>module-file</c>, <c>vermagic</c>, <c>modules.dep</c>: a <see cref="CheckName"/>'s text.</param>
/// <param name="Outcome">The outcome.</param>
/// <param name="Detail">What was found, in one sentence.</param>
/// <param name="Path">The path in the image the check looked at, if any.</param>
/// <param name="Layer">The digest of the layer that provided <paramref name="Path"/>, if known.</param>
public sealed record CheckResult(string Name, CheckOutcome Outcome, string Detail, string? Path = null, string? Layer = null)
{
    /// <summary>Creates a result of the check <paramref name="check"/>.</summary>
    public CheckResult(CheckName check, CheckOutcome outcome, string detail, string? path = null, string? layer = null)
        : this(check.Value, outcome, detail, path, layer)
    {
    }

    /// <summary>The check, typed: compare with the well-known names (<c>result.Check == CheckName.ModulesDep</c>).</summary>
    public CheckName Check => new(Name);
}
