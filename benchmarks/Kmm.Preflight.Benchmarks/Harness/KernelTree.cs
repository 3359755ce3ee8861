using System.Text.RegularExpressions;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>A real Debian kernel's module tree (~4,000 signed modules), downloaded with apt and unpacked once into the cache.</summary>
/// <param name="Package">The Debian package, e.g. <c>linux-image-6.1.0-56-amd64</c>.</param>
/// <param name="Release">The kernel release, e.g. <c>6.1.0-56-amd64</c>.</param>
/// <param name="Directory">The unpacked <c>lib/modules/RELEASE</c> directory.</param>
internal sealed partial record KernelTree(string Package, string Release, string Directory)
{
    public static async Task<KernelTree> EnsureAsync(string cacheDirectory, string? package)
    {
        package ??= await LatestPackageAsync();
        var root = Path.Combine(cacheDirectory, package);
        var marker = Path.Combine(root, ".unpacked");
        if (!File.Exists(marker))
        {
            System.IO.Directory.CreateDirectory(root);
            Console.WriteLine($"Downloading {package} with apt-get download…");
            await Tools.RunAsync("apt-get", ["download", package], root);
            var deb = System.IO.Directory.GetFiles(root, "*.deb").Single();
            await Tools.RunAsync("dpkg-deb", ["-x", deb, Path.Combine(root, "tree")]);
            File.Delete(deb);
            await File.WriteAllTextAsync(marker, package);
        }

        var modules = new[] { "lib/modules", "usr/lib/modules" }
            .Select(p => Path.Combine(root, "tree", p))
            .Where(System.IO.Directory.Exists)
            .SelectMany(System.IO.Directory.GetDirectories)
            .FirstOrDefault() ?? throw new InvalidOperationException($"{package} unpacked into {root}/tree has no lib/modules/RELEASE directory.");
        return new KernelTree(package, Path.GetFileName(modules), modules);
    }

    // The newest signed generic amd64 6.1 kernel the apt sources offer.
    private static async Task<string> LatestPackageAsync()
    {
        var listing = await Tools.RunAsync("apt-cache", ["search", "--names-only", @"^linux-image-6\.1\.0-[0-9]+-amd64$"]);
        if (string.IsNullOrWhiteSpace(listing) && Tools.IsRoot)
        {
            await Tools.RunAsync("apt-get", ["update", "-qq"]);
            listing = await Tools.RunAsync("apt-cache", ["search", "--names-only", @"^linux-image-6\.1\.0-[0-9]+-amd64$"]);
        }

        var best = PackagePattern().Matches(listing)
            .Select(m => (Name: m.Value, Abi: int.Parse(m.Groups[1].Value)))
            .OrderByDescending(p => p.Abi)
            .FirstOrDefault();
        return best.Name ?? throw new InvalidOperationException(
            "No linux-image-6.1.0-NN-amd64 package found; run 'apt-get update' (as root) or pass --kernel-package NAME.");
    }

    [GeneratedRegex(@"^linux-image-6\.1\.0-(\d+)-amd64(?= )", RegexOptions.Multiline)]
    private static partial Regex PackagePattern();
}
