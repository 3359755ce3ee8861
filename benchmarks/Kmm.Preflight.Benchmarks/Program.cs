using BenchmarkDotNet.Running;
using Kmm.Preflight.Benchmarks.Harness;

namespace Kmm.Preflight.Benchmarks;

internal static class Program
{
    // "scan" runs the end-to-end scan harness (its measured runs are Kmm.Preflight.ScanChild processes);
    // anything else goes to BenchmarkDotNet.
    private static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "scan")
        {
            return await ScanHarness.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
