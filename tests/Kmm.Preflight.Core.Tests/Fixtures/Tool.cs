using System.Diagnostics;

namespace Kmm.Preflight.Core.Tests.Fixtures;

/// <summary>Runs a real command-line tool (modinfo, depmod, xz, zstd, gzip) and returns its output.</summary>
internal static class Tool
{
    public static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(Resolve(file)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
        }

        return output.Result;
    }

    // kmod's tools live in /usr/sbin, which is not always on a user's PATH.
    private static string Resolve(string file)
    {
        foreach (var dir in new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" })
        {
            var candidate = Path.Combine(dir, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return file;
    }

    public static byte[] Compress(byte[] data, string format)
    {
        var dir = Directory.CreateTempSubdirectory("kmm-core-compress-");
        try
        {
            var input = Path.Combine(dir.FullName, "m.ko");
            File.WriteAllBytes(input, data);
            switch (format)
            {
                case "xz":
                    Run("xz", "-k", "--check=crc32", input);
                    return File.ReadAllBytes(input + ".xz");
                case "zst":
                    Run("zstd", "-q", "-k", input, "-o", input + ".zst");
                    return File.ReadAllBytes(input + ".zst");
                case "gz":
                    Run("gzip", "-k", "-n", input);
                    return File.ReadAllBytes(input + ".gz");
                default:
                    throw new ArgumentException(format);
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
