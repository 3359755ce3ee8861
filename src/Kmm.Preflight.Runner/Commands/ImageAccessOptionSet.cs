using System.CommandLine;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>
/// The options shared by every command that reads images (<c>--platform</c>, <c>--auth-file</c>,
/// <c>--insecure-registry</c>, <c>--ca-file</c>), defined once and bound to <see cref="ImageAccessOptions"/>.
/// </summary>
internal sealed class ImageAccessOptionSet
{
    private readonly Option<bool> _verbose;

    /// <summary>Creates the options; <paramref name="verbose"/> is the root's recursive <c>--verbose</c>.</summary>
    public ImageAccessOptionSet(Option<bool> verbose)
    {
        _verbose = verbose;
        Insecure.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length == 0 || token.Value.Contains('/', StringComparison.Ordinal))
                {
                    result.AddError($"--insecure-registry '{token.Value}': write HOST or HOST:PORT, without a scheme or path.");
                }
            }
        });
    }

    /// <summary><c>--platform OS/ARCH[/VARIANT]</c>, default linux/amd64.</summary>
    public Option<Platform> Platform { get; } = new("--platform")
    {
        Description = "Platform to choose from a multi-platform image.",
        HelpName = "OS/ARCH[/VARIANT]",
        DefaultValueFactory = _ => Oci.Manifests.Platform.Default,
        CustomParser = ParsePlatform,
    };

    /// <summary><c>--auth-file FILE</c>.</summary>
    public Option<FileInfo> AuthFile { get; } = new Option<FileInfo>("--auth-file", "--authfile")
    {
        Description = "Registry credentials in docker/podman auth format (default: $REGISTRY_AUTH_FILE, "
            + "$DOCKER_CONFIG/config.json, ~/.docker/config.json, $XDG_RUNTIME_DIR/containers/auth.json).",
        HelpName = "FILE",
    }.AcceptExistingOnly();

    /// <summary><c>--insecure-registry HOST[:PORT]</c>, repeatable.</summary>
    public Option<string[]> Insecure { get; } = new("--insecure-registry")
    {
        Description = "Reach this registry over plain HTTP (repeatable).",
        HelpName = "HOST[:PORT]",
        DefaultValueFactory = _ => [],
    };

    /// <summary><c>--ca-file PEM</c>, repeatable.</summary>
    public Option<FileInfo[]> CaFiles { get; } = new Option<FileInfo[]>("--ca-file")
    {
        Description = "Also trust the PEM CA certificates in this file (repeatable).",
        HelpName = "PEM",
        DefaultValueFactory = _ => [],
    }.AcceptExistingOnly();

    /// <summary><c>--cache-dir DIR</c>: where layer indexes persist between runs.</summary>
    public Option<DirectoryInfo> CacheDirectory { get; } = new("--cache-dir")
    {
        Description = "Keep layer indexes here between runs, so layers already read are not downloaded again "
            + "(default: $XDG_CACHE_HOME/kmm-preflight, else ~/.cache/kmm-preflight).",
        HelpName = "DIR",
    };

    /// <summary><c>--no-cache</c>.</summary>
    public Option<bool> NoCache { get; } = new("--no-cache")
    {
        Description = "Do not read or write the layer index cache directory (layers are still read once per run).",
    };

    /// <summary><c>--cache-max-size SIZE</c>.</summary>
    public Option<long> CacheMaxSize { get; } = new("--cache-max-size")
    {
        Description = "Bound of the cache directory's layer indexes; the least recently used go first (default 1G).",
        HelpName = "SIZE",
        DefaultValueFactory = _ => Oci.FileSystem.LayerIndexCacheOptions.DefaultMaxSizeBytes,
        CustomParser = ParseSize,
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(Platform);
        command.Add(AuthFile);
        command.Add(Insecure);
        command.Add(CaFiles);
        command.Add(CacheDirectory);
        command.Add(NoCache);
        command.Add(CacheMaxSize);
        command.Validators.Add(result =>
        {
            if (result.GetResult(NoCache) is { Implicit: false } && result.GetValue(NoCache) && result.GetResult(CacheDirectory) is not null)
            {
                result.AddError("--no-cache and --cache-dir contradict each other: choose one.");
            }
        });
    }

    /// <summary>Reads the options' values.</summary>
    public ImageAccessOptions Bind(ParseResult parseResult) => new(
        parseResult.GetValue(Platform) ?? Oci.Manifests.Platform.Default,
        parseResult.GetValue(AuthFile)?.FullName,
        parseResult.GetValue(Insecure) ?? [],
        [.. (parseResult.GetValue(CaFiles) ?? []).Select(f => f.FullName)],
        parseResult.GetValue(_verbose),
        BindCache(parseResult));

    private LayerCacheSettings BindCache(ParseResult parseResult)
    {
        var directory = parseResult.GetValue(NoCache)
            ? null
            : parseResult.GetValue(CacheDirectory)?.FullName ?? LayerCacheSettings.DefaultDirectory(Environment.GetEnvironmentVariable);
        return new LayerCacheSettings(directory, parseResult.GetValue(CacheMaxSize));
    }

    private static long ParseSize(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[^1].Value;
        if (ByteSize.TryParse(text) is { } bytes)
        {
            return bytes;
        }

        result.AddError($"--cache-max-size '{text}': write a positive size such as 512M, 2G or 1073741824 (bytes; K, M, G, T are powers of 1024).");
        return 0;
    }

    private static Platform ParsePlatform(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[^1].Value;
        try
        {
            return Oci.Manifests.Platform.Parse(text);
        }
        catch (FormatException e)
        {
            result.AddError($"--platform '{text}': {e.Message}");
            return Oci.Manifests.Platform.Default;
        }
    }
}
