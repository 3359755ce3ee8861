using System.Diagnostics;
using System.Globalization;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>Runs a command to completion, timing it from spawn to exit; peak RSS via GNU time when installed.</summary>
internal static class MeasuredProcess
{
    private const string GnuTime = "/usr/bin/time";

    public static bool HasGnuTime => File.Exists(GnuTime);

    /// <summary>Runs <paramref name="file"/> and fails loudly when it exits non-zero.</summary>
    public static async Task<Measurement> RunAsync(
        string file, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var rssFile = HasGnuTime ? Path.GetTempFileName() : null;
        var start = new ProcessStartInfo(rssFile is null ? file : GnuTime)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        if (rssFile is not null)
        {
            foreach (var a in new[] { "-o", rssFile, "-f", "%M", file })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var elapsed = stopwatch.Elapsed;
        var output = await stdout;
        var error = await stderr;
        long? rssKb = null;
        if (rssFile is not null)
        {
            var text = (await File.ReadAllTextAsync(rssFile, cancellationToken)).Trim().Split('\n')[^1];
            rssKb = long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb : null;
            File.Delete(rssFile);
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Trim()} {output.Trim()}");
        }

        return new Measurement(elapsed, rssKb, output);
    }

    /// <summary>Runs a shell command line (for redirections such as <c>&gt; /dev/null</c>).</summary>
    public static Task<Measurement> ShellAsync(string commandLine, CancellationToken cancellationToken = default)
        => RunAsync("/bin/sh", ["-c", commandLine], null, cancellationToken);
}

/// <summary>One timed run.</summary>
/// <param name="Elapsed">Wall time from spawn to exit.</param>
/// <param name="PeakRssKb">Peak RSS in KiB (of the process or its largest child), when known.</param>
/// <param name="Output">Standard output.</param>
internal sealed record Measurement(TimeSpan Elapsed, long? PeakRssKb, string Output);
