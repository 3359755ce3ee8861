using System.CommandLine;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>The <c>IMAGE</c> argument every image command takes, described once.</summary>
internal static class ImageArgument
{
    /// <summary>Creates the argument (System.CommandLine symbols belong to one command, so each command gets its own).</summary>
    public static Argument<string> Create() => new("IMAGE")
    {
        Description = "Image: HOST/REPO[:TAG|@DIGEST], docker://…, oci:DIR[:TAG] or docker-archive:FILE[:REF].",
    };
}
