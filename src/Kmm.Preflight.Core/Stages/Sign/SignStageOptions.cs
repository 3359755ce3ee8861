namespace Kmm.Preflight.Core.Stages.Sign;

/// <summary>Options of the Sign stage (a placeholder in this version: see <see cref="SignStageBuilderExtensions.AddSignStage"/>).</summary>
public sealed record SignStageOptions
{
    /// <summary>How long one signing may take.</summary>
    /// <value>Default 30 minutes.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
}
