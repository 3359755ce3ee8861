using System.Runtime.InteropServices;

namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>How the measured child (<c>benchmarks/Kmm.Preflight.ScanChild</c>) is compiled.</summary>
internal enum ChildCompilation
{
    /// <summary>Native AOT for this machine's runtime identifier: no JIT at start-up, as an AOT-published embedder runs.</summary>
    Aot,

    /// <summary>ReadyToRun (pre-compiled IL plus JIT for what R2R cannot hold), as the kmm-preflight tool ships per RID.</summary>
    ReadyToRun,

    /// <summary>Plain framework-dependent build: everything JIT-compiled on first use.</summary>
    Jit,
}

/// <summary>Publishes the scan child once per harness run into the cache directory and names its executable.</summary>
internal static class ChildBuild
{
    public static async Task<string> PublishAsync(string repositoryRoot, string cacheDirectory, ChildCompilation compilation)
    {
        var project = Path.Combine(repositoryRoot, "benchmarks", "Kmm.Preflight.ScanChild", "Kmm.Preflight.ScanChild.csproj");
        var output = Path.Combine(cacheDirectory, $"child-{compilation.ToString().ToLowerInvariant()}");
        string[] mode = compilation switch
        {
            ChildCompilation.Aot => ["-r", RuntimeInformation.RuntimeIdentifier, "-p:PublishAot=true"],
            ChildCompilation.ReadyToRun => ["-r", RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-p:PublishReadyToRun=true"],
            _ => [],
        };
        Console.WriteLine($"Publishing the scan child ({compilation}) to {output}…");
        await Tools.RunAsync("dotnet", ["publish", project, "-c", "Release", "-o", output, "--nologo", .. mode]);
        var executable = Path.Combine(output, "Kmm.Preflight.ScanChild");
        return File.Exists(executable) ? executable : throw new InvalidOperationException($"dotnet publish left no {executable}.");
    }
}
