using System.Diagnostics;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>Runs setup commands (apt, dpkg-deb, skopeo) and checks the tools the harness needs.</summary>
internal static class Tools
{
    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Any(d => File.Exists(Path.Combine(d, name)));

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Installs missing Debian packages (as root), or names what to install.</summary>
    public static async Task EnsureAsync(IReadOnlyDictionary<string, string> toolToPackage)
    {
        var missing = toolToPackage.Where(t => !Exists(t.Key)).Select(t => t.Value).Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }

        if (!IsRoot)
        {
            throw new InvalidOperationException($"Missing tools; install them first: sudo apt-get install -y {string.Join(' ', missing)}");
        }

        Console.WriteLine($"Installing {string.Join(", ", missing)}…");
        await RunAsync("apt-get", ["update", "-qq"]);
        await RunAsync("apt-get", ["install", "-y", "-qq", .. missing]);
    }

    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {(await stderr).Trim()}");
        }

        return await stdout;
    }
}
