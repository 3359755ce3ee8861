namespace Kmm.Preflight.Runner.Commands.Kernel;

/// <summary>What <c>kernel</c> was asked.</summary>
/// <param name="ReleaseImage">The OpenShift release image.</param>
/// <param name="RealTime">Print the real-time kernel.</param>
/// <param name="Json">Print JSON instead of the kernel alone.</param>
/// <param name="Access">How to reach images.</param>
internal sealed record KernelRequest(string ReleaseImage, bool RealTime, bool Json, ImageAccessOptions Access);
