using System.Diagnostics;
using NUnit.Framework;

namespace Kmm.Preflight.Testing.Toc;

/// <summary>
/// The independent tools that write table-of-contents layers: skopeo (zstd:chunked), containerd with stargz-snapshotter's
/// <c>ctr-remote</c> (eStargz). A missing tool fails the test under CI (<c>CI=true</c>), naming its Debian package, and
/// ignores it elsewhere.
/// </summary>
public static class TocTools
{
    private static readonly Dictionary<string, string> Packages = new()
    {
        ["skopeo"] = "skopeo",
        ["containerd"] = "containerd",
        ["ctr"] = "containerd",
        ["ctr-remote"] = "stargz-snapshotter",
    };

    /// <summary>The path of <paramref name="tool"/>; fails (CI) or ignores the test when it is not installed.</summary>
    public static string Require(string tool)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/sbin").Append("/usr/bin"))
        {
            var path = Path.Combine(directory, tool);
            if (File.Exists(path))
            {
                return path;
            }
        }

        var package = Packages[tool];
        var message = $"{tool} is not installed: install the Debian package {package} (apt-get install --no-install-recommends {package})";
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
        return null!;
    }

    /// <summary>Runs <paramref name="tool"/> with <paramref name="arguments"/>; returns stdout, throws with stderr on failure.</summary>
    public static async Task<string> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Require(tool)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var list = arguments.ToList();
        list.ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A guard against hangs, long enough for the benchmark's 400 MB conversion on a loaded 2-core machine.
        timeout.CancelAfter(TimeSpan.FromMinutes(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{tool} {string.Join(' ', list)} did not finish in 30 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', list)} failed ({process.ExitCode}): {await error}{await output}");
        }

        return await output;
    }
}
