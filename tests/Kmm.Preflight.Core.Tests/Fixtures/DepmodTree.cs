namespace Kmm.Preflight.Core.Tests.Fixtures;

/// <summary>Runs the real <c>depmod -b</c> over module files laid out under <c>lib/modules/KERNEL/</c> and returns what it wrote.</summary>
internal static class DepmodTree
{
    /// <summary>Returns modules.dep and modules.dep.bin for <paramref name="files"/> (paths relative to the kernel directory).</summary>
    public static (byte[] Text, byte[] Binary) Run(string kernel, IReadOnlyDictionary<string, byte[]> files)
    {
        var root = Directory.CreateTempSubdirectory("kmm-core-depmod-");
        try
        {
            var kernelDir = Path.Combine(root.FullName, "lib", "modules", kernel);
            Directory.CreateDirectory(kernelDir);
            foreach (var (path, content) in files)
            {
                var full = Path.Combine(kernelDir, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllBytes(full, content);
            }

            Tool.Run("depmod", "-b", root.FullName, kernel);
            return (File.ReadAllBytes(Path.Combine(kernelDir, "modules.dep")), File.ReadAllBytes(Path.Combine(kernelDir, "modules.dep.bin")));
        }
        finally
        {
            root.Delete(true);
        }
    }

    /// <summary>A copy of a real module whose vermagic release is replaced by another of the same length.</summary>
    public static byte[] WithVermagic(byte[] module, string from, string to)
    {
        if (from.Length != to.Length)
        {
            throw new ArgumentException("the replacement must have the same length");
        }

        var copy = (byte[])module.Clone();
        var needle = System.Text.Encoding.ASCII.GetBytes("vermagic=" + from);
        var at = copy.AsSpan().IndexOf(needle);
        if (at < 0)
        {
            throw new InvalidOperationException("vermagic not found");
        }

        System.Text.Encoding.ASCII.GetBytes("vermagic=" + to).CopyTo(copy, at);
        return copy;
    }
}
