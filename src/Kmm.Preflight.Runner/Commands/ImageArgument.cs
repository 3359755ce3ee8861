using System.CommandLine;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>The <c>IMAGE</c> argument every image command takes, described once.</summary>
internal static class ImageArgument
{
    /// <summary>Creates the argument (System.CommandLine symbols belong to one command, so each command gets its own).</summary>
    public static Argument<string> Create()
    {
        var argument = new Argument<string>("IMAGE")
        {
            Description = "Image: HOST/REPO[:TAG|@DIGEST], docker://…, oci:DIR[:TAG] or docker-archive:FILE[:REF].",
        };
        // Caught at parsing, so an empty name is a usage error rather than the library's ArgumentException text.
        argument.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("IMAGE is empty: name an image, e.g. registry.example.com/repo:tag or oci:DIR:TAG.");
            }
        });
        return argument;
    }
}
