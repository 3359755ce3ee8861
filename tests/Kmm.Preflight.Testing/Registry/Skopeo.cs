using System.Diagnostics;

namespace Kmm.Preflight.Testing.Registry;

/// <summary>Runs the real <c>skopeo</c> as an independent cross-check of what our client pushed.</summary>
public static class Skopeo
{
    /// <summary>Runs <c>skopeo ARGS</c> and returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">skopeo is missing or fails; the message carries its standard error.</exception>
    public static async Task<string> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var executable = RegistryProcess.FindExecutable("skopeo") ?? throw new InvalidOperationException("skopeo is not installed (Debian package 'skopeo').");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var list = arguments.ToList();
        foreach (var argument in list)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"skopeo {string.Join(' ', list.Select(a => a.StartsWith("tester:", StringComparison.Ordinal) || a.StartsWith("tokenuser:", StringComparison.Ordinal) ? "***" : a))} failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }

    /// <summary>The manifest digest skopeo computes for <paramref name="image"/> (<c>host/repo:tag</c>).</summary>
    public static async Task<string> InspectDigestAsync(RegistryProcess registry, string image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var digest = await RunAsync(["inspect", "--format", "{{.Digest}}", .. registry.SkopeoOptions(), $"docker://{image}"], cancellationToken);
        return digest.Trim();
    }

    /// <summary>The raw manifest bytes skopeo reads for <paramref name="image"/>.</summary>
    public static Task<string> InspectRawAsync(RegistryProcess registry, string image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return RunAsync(["inspect", "--raw", .. registry.SkopeoOptions(), $"docker://{image}"], cancellationToken);
    }
}
