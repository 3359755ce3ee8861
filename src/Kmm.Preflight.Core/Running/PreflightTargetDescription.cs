using Kmm.Preflight.Core.Loading;

namespace Kmm.Preflight.Core.Running;

/// <summary>
/// What to validate against, as a user says it: exactly one of a kernel, an OpenShift release image, or objects
/// holding one PreflightValidation or PreflightValidationOCP; and whether to push built and signed images.
/// <see cref="PreflightValidator.ResolveTargetAsync"/> turns it into a <see cref="PreflightTarget"/>.
/// </summary>
public sealed record PreflightTargetDescription
{
    /// <summary>The target kernel, given directly (<c>--kernel</c>); null when another way is used.</summary>
    public string? Kernel { get; init; }

    /// <summary>An OpenShift release image whose kernel is the target (a PreflightValidationOCP's <c>releaseImage</c>); null when another way is used.</summary>
    public string? ReleaseImage { get; init; }

    /// <summary>With <see cref="ReleaseImage"/>: the real-time kernel (<c>useRTKernel</c>).</summary>
    /// <value>Default false.</value>
    public bool UseRtKernel { get; init; }

    /// <summary>Objects holding exactly one PreflightValidation or PreflightValidationOCP (e.g. a loaded file); null when another way is used.</summary>
    public ObjectSet? Preflight { get; init; }

    /// <summary>Names where <see cref="Preflight"/> came from in error messages (e.g. the file).</summary>
    /// <value>Default <c>preflight objects</c>.</value>
    public string PreflightSource { get; init; } = "preflight objects";

    /// <summary>Push built and signed images whatever the objects say (<c>--push</c>); false keeps their <c>pushBuiltImage</c>.</summary>
    /// <value>Default false.</value>
    public bool PushBuiltImage { get; init; }

    /// <summary>A description for <paramref name="kernel"/>.</summary>
    public static PreflightTargetDescription ForKernel(string kernel) => new() { Kernel = kernel };

    /// <summary>A description for the kernel of the release image <paramref name="releaseImage"/>.</summary>
    public static PreflightTargetDescription ForReleaseImage(string releaseImage, bool useRtKernel = false) => new() { ReleaseImage = releaseImage, UseRtKernel = useRtKernel };

    /// <summary>A description from the one PreflightValidation or PreflightValidationOCP in <paramref name="objects"/>, loaded from <paramref name="source"/>.</summary>
    public static PreflightTargetDescription FromObjects(ObjectSet objects, string source) => new() { Preflight = objects, PreflightSource = source };

    /// <summary>Every problem with this description, empty when it can be resolved.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var ways = (Kernel is null ? 0 : 1) + (ReleaseImage is null ? 0 : 1) + (Preflight is null ? 0 : 1);
        if (ways != 1)
        {
            problems.Add($"give exactly one of Kernel, ReleaseImage or Preflight (got {ways})");
        }

        if (Kernel is not null && string.IsNullOrWhiteSpace(Kernel))
        {
            problems.Add("Kernel is empty");
        }

        if (ReleaseImage is not null && string.IsNullOrWhiteSpace(ReleaseImage))
        {
            problems.Add("ReleaseImage is empty");
        }

        if (UseRtKernel && ReleaseImage is null)
        {
            problems.Add("UseRtKernel needs ReleaseImage (a PreflightValidationOCP says useRTKernel itself)");
        }

        return problems;
    }
}
