namespace Kmm.Preflight.Core.Stages.Image;

/// <summary>Paths modprobe uses inside an image.</summary>
internal static class ImagePaths
{
    /// <summary><c>&lt;dirName&gt;/lib/modules/&lt;kernel&gt;/</c>, absolute with a trailing slash.</summary>
    public static string KernelDirectory(string dirName, string kernel) => Join(dirName, $"lib/modules/{kernel}") + "/";

    /// <summary>Joins an image directory and a relative path into an absolute path.</summary>
    public static string Join(string directory, string relative)
    {
        var left = "/" + directory.Trim('/');
        var right = relative.TrimStart('/');
        return left == "/" ? "/" + right : left + "/" + right;
    }

    /// <summary>The part of <paramref name="path"/> after <c>/lib/modules/&lt;kernel&gt;/</c>, or null.</summary>
    public static string? RelativeToKernel(string path, string kernel)
    {
        var marker = $"lib/modules/{kernel}/";
        var at = path.LastIndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? null : path[(at + marker.Length)..];
    }
}
