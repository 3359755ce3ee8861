namespace Kmm.Preflight.Runner.Commands.Cat;

/// <summary>What <c>cat</c> was asked.</summary>
/// <param name="Image">The image name.</param>
/// <param name="Path">The file's path in the merged filesystem.</param>
/// <param name="Access">How to reach the image.</param>
internal sealed record CatRequest(string Image, string Path, ImageAccessOptions Access);
