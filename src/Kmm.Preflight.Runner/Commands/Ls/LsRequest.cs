namespace Kmm.Preflight.Runner.Commands.Ls;

/// <summary>What <c>ls</c> was asked.</summary>
/// <param name="Image">The image name.</param>
/// <param name="Path">The path in the merged filesystem.</param>
/// <param name="Recursive">Whether to list everything below a directory.</param>
/// <param name="Long">Whether to show type, size and link target.</param>
/// <param name="Access">How to reach the image.</param>
internal sealed record LsRequest(string Image, string Path, bool Recursive, bool Long, ImageAccessOptions Access);
