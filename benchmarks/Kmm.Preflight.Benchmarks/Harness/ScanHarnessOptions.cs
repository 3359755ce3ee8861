namespace Kmm.Preflight.Benchmarks.Harness;

/// <summary>Command-line options of <c>scan</c>.</summary>
internal sealed record ScanHarnessOptions
{
    public required string CacheDirectory { get; init; }

    public string? KernelPackage { get; init; }

    public int Runs { get; init; } = 3;

    public required string OutputFile { get; init; }

    public bool UseRegistry { get; init; } = true;

    public bool SkipSkopeo { get; init; }

    public ChildCompilation Child { get; init; } = ChildCompilation.Aot;

    /// <summary>Environment variables for the .NET child runs (e.g. JIT settings to compare).</summary>
    public IReadOnlyDictionary<string, string> ChildEnvironment { get; init; } = new Dictionary<string, string>();

    public const string Usage = """
        Usage: dotnet run -c Release --project benchmarks/Kmm.Preflight.Benchmarks -- scan [options]
          --cache DIR             where the kernel package and image layout are kept (default: REPO/.work/bench)
          --kernel-package NAME   Debian kernel package (default: newest linux-image-6.1.0-NN-amd64)
          --runs N                runs per measurement, the median is reported (default 3; three times as many for runs under 0.25 s)
          --output FILE           Markdown results; JSON next to it (default: benchmarks/results/scan-latest.md)
          --no-registry           read the OCI layout directly instead of a local docker-registry
          --skip-skopeo           leave out the skopeo copy + tar baseline
          --child aot|r2r|jit     how the measured .NET child is compiled (default aot: Native AOT)
          --child-env NAME=VALUE  environment for the .NET child runs, e.g. DOTNET_TieredCompilation=0 (repeatable)
        """;

    public static ScanHarnessOptions Parse(string[] args, string repositoryRoot)
    {
        var options = new ScanHarnessOptions
        {
            CacheDirectory = Path.Combine(repositoryRoot, ".work", "bench"),
            OutputFile = Path.Combine(repositoryRoot, "benchmarks", "results", "scan-latest.md"),
        };
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--cache" => options with { CacheDirectory = Path.GetFullPath(Value()) },
                "--kernel-package" => options with { KernelPackage = Value() },
                "--runs" => options with { Runs = int.TryParse(Value(), out var runs) && runs > 0 ? runs : throw new ArgumentException($"--runs needs a positive number.\n{Usage}") },
                "--output" => options with { OutputFile = Path.GetFullPath(Value()) },
                "--no-registry" => options with { UseRegistry = false },
                "--skip-skopeo" => options with { SkipSkopeo = true },
                "--child" => options with
                {
                    Child = Value() switch
                    {
                        "aot" => ChildCompilation.Aot,
                        "r2r" => ChildCompilation.ReadyToRun,
                        "jit" => ChildCompilation.Jit,
                        var other => throw new ArgumentException($"--child takes aot, r2r or jit, not '{other}'.\n{Usage}"),
                    },
                },
                "--child-env" => options with { ChildEnvironment = WithVariable(options.ChildEnvironment, Value()) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}"),
            };
        }

        return options;
    }

    private static Dictionary<string, string> WithVariable(IReadOnlyDictionary<string, string> current, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--child-env needs NAME=VALUE, not '{assignment}'.\n{Usage}");
        }

        return new Dictionary<string, string>(current) { [assignment[..equals]] = assignment[(equals + 1)..] };
    }
}
