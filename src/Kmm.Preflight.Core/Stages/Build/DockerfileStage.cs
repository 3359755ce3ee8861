namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>One <c>FROM</c> of a Dockerfile.</summary>
/// <param name="Instruction">The <c>FROM</c> instruction.</param>
/// <param name="Written">The image as written, e.g. <c>${DTK_AUTO}</c>.</param>
/// <param name="Image">The base image after build arguments are substituted; null for <c>scratch</c> or an earlier stage.</param>
/// <param name="Alias">The stage's <c>AS</c> name, or null.</param>
internal sealed record DockerfileStage(DockerfileInstruction Instruction, string Written, string? Image, string? Alias);
