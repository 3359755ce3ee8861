namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>Options of the Build stage (a placeholder in this version: see <see cref="BuildStageBuilderExtensions.AddBuildStage"/>).</summary>
public sealed record BuildStageOptions
{
    /// <summary>How long one build may take.</summary>
    /// <value>Default 30 minutes.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
}
