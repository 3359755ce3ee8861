using System.Diagnostics;
using NUnit.Framework;

namespace Kmm.Preflight.Testing.Signing;

/// <summary>
/// The real tools that judge our module signatures: the kernel's <c>sign-file</c>, kmod's <c>modinfo</c>, OpenSSL and
/// the compressors. A missing tool fails the test under CI (<c>CI=true</c>), naming its Debian package, and ignores
/// it elsewhere, so a developer without the package still runs the rest.
/// </summary>
public static class SigningTools
{
    /// <summary>Where Debian's <c>linux-kbuild-6.1</c> installs the kernel's <c>sign-file</c>.</summary>
    public const string SignFilePath = "/usr/lib/linux-kbuild-6.1/scripts/sign-file";

    private static readonly Dictionary<string, (string[] Paths, string Package)> Known = new()
    {
        ["sign-file"] = ([SignFilePath], "linux-kbuild-6.1"),
        ["modinfo"] = (["/usr/sbin/modinfo", "/sbin/modinfo", "/usr/bin/modinfo"], "kmod"),
        ["openssl"] = (["/usr/bin/openssl"], "openssl"),
        ["xz"] = (["/usr/bin/xz", "/bin/xz"], "xz-utils"),
        ["zstd"] = (["/usr/bin/zstd"], "zstd"),
        ["gzip"] = (["/usr/bin/gzip", "/bin/gzip"], "gzip"),
    };

    /// <summary>The path of <paramref name="tool"/>; fails (CI) or ignores the test when it is not installed.</summary>
    public static string Require(string tool)
    {
        var (paths, package) = Known[tool];
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                return path;
            }
        }

        var message = $"{tool} is not installed: install the Debian package {package} (apt-get install --no-install-recommends {package})";
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
        return null!;
    }

    /// <summary>Runs <paramref name="tool"/> and returns its stdout; fails the test with its stderr when it exits non-zero.</summary>
    public static string Run(string tool, params string[] arguments)
    {
        var result = TryRun(tool, arguments);
        if (result.ExitCode != 0)
        {
            Assert.Fail($"{tool} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Error}{result.Output}");
        }

        return result.Output;
    }

    /// <summary>Runs <paramref name="tool"/> and returns its exit code and output, whatever the exit code.</summary>
    public static (int ExitCode, string Output, string Error) TryRun(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(Require(tool)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish within 2 minutes");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
