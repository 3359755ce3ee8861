using System.Diagnostics;

namespace Kmm.Preflight.Oci.Tests.Sources;

/// <summary>
/// Runs a real command-line tool (skopeo, umoci) and fails the test with its output when it fails. A missing tool
/// fails the test under CI (<c>CI=true</c>), naming its Debian package, so CI never skips these checks silently; a
/// developer without the package still runs the rest (the test is ignored).
/// </summary>
internal static class ExternalTool
{
    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => File.Exists(Path.Combine(d, name)));

    public static void RequireOrIgnore(string name)
    {
        if (Exists(name))
        {
            return;
        }

        // skopeo and umoci are each their own Debian package.
        var message = $"'{name}' is not installed: install the Debian package {name} (apt-get install --no-install-recommends {name})";
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
    }

    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            Assert.Fail($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}{await stdout}");
        }

        return await stdout;
    }
}
