namespace Kmm.Preflight.Runner.Commands.Inspect;

/// <summary>What <c>inspect</c> was asked.</summary>
/// <param name="Image">The image name (registry reference, <c>oci:DIR[:TAG]</c>, <c>docker-archive:FILE[:REF]</c>).</param>
/// <param name="Access">How to reach it.</param>
internal sealed record InspectRequest(string Image, ImageAccessOptions Access);
