namespace Kmm.Preflight.Runner.Commands.Validate;

/// <summary>What <c>validate</c> was asked.</summary>
/// <param name="ModulePaths">Files or directories holding Module objects (and their Secrets/ConfigMaps).</param>
/// <param name="ResourcePaths">Files or directories holding more Secrets and ConfigMaps.</param>
/// <param name="Kernel">The target kernel, when given directly.</param>
/// <param name="PreflightFile">A PreflightValidation or PreflightValidationOCP file, when given.</param>
/// <param name="Push">Whether built or signed images are pushed (<c>spec.pushBuiltImage</c>).</param>
/// <param name="Parallel">How many modules are checked at once.</param>
/// <param name="Format">The output format.</param>
/// <param name="Access">How to reach images.</param>
/// <param name="ReleaseImage">An OpenShift release image whose kernel is the target (as a PreflightValidationOCP's releaseImage), when given.</param>
/// <param name="RealTime">With <paramref name="ReleaseImage"/>: the real-time kernel (useRTKernel).</param>
/// <param name="SaveImagesDirectory">Where built and signed images are saved as an OCI layout; null for nowhere.</param>
internal sealed record ValidateRequest(
    IReadOnlyList<string> ModulePaths,
    IReadOnlyList<string> ResourcePaths,
    string? Kernel,
    string? PreflightFile,
    bool Push,
    int Parallel,
    OutputFormat Format,
    ImageAccessOptions Access,
    string? ReleaseImage = null,
    bool RealTime = false,
    string? SaveImagesDirectory = null)
{
    /// <summary>The container engine for builds (<c>--docker-host</c>); null for <c>DOCKER_HOST</c>, else the default socket.</summary>
    public Uri? DockerHost { get; init; }

    /// <summary>The network of <c>RUN</c> steps in builds (<c>--build-network</c>).</summary>
    public string BuildNetwork { get; init; } = "none";
}
