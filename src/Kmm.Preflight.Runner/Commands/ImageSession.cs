using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Runner.Output;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>One command's access to images: the registry client built from the shared options, and the sources it opens.</summary>
internal sealed class ImageSession : IDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly RunnerConsole _console;

    /// <summary>Creates the session from the shared options.</summary>
    /// <param name="access">The shared image options.</param>
    /// <param name="console">Where messages go.</param>
    /// <param name="readsLayers">False for a command that only resolves images (inspect): then no top layer is
    /// prefetched while the config is read, since it would be downloaded for nothing.</param>
    public ImageSession(ImageAccessOptions access, RunnerConsole console, bool readsLayers = true)
    {
        ArgumentNullException.ThrowIfNull(access);
        Access = access;
        _console = console;
        _loggerFactory = RunnerLogging.CreateFactory(console.Error, access.Verbose);
        Cache = CreateCache(access, _loggerFactory);
        var options = CreateClientOptions(access, Cache);
        Client = new RegistryClient(readsLayers ? options : options with { TopLayerPrefetchBytes = 0 }, _loggerFactory.CreateLogger<RegistryClient>());
        Sources = new ImageSourceFactory(Client);
    }

    /// <summary>The options the session was built from.</summary>
    public ImageAccessOptions Access { get; }

    /// <summary>The registry client.</summary>
    public RegistryClient Client { get; }

    /// <summary>Opens sources by name.</summary>
    public ImageSourceFactory Sources { get; }

    /// <summary>The logger factory (stderr).</summary>
    public ILoggerFactory LoggerFactory => _loggerFactory;

    /// <summary>The layer index cache of the session (persisted unless <c>--no-cache</c>).</summary>
    public LayerIndexCache Cache { get; }

    /// <summary>The layer index cache <paramref name="access"/> asks for.</summary>
    public static LayerIndexCache CreateCache(ImageAccessOptions access, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(access);
        return (access.Cache ?? LayerCacheSettings.Disabled).CreateCache(loggerFactory);
    }

    /// <summary>
    /// The registry client options for <paramref name="access"/>; with a persisted <paramref name="cache"/>, top layers
    /// whose index it holds are not prefetched (a warm run downloads no layer).
    /// </summary>
    public static RegistryClientOptions CreateClientOptions(ImageAccessOptions access, LayerIndexCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(access);
        var hosts = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase);
        foreach (var host in access.InsecureRegistries)
        {
            hosts[host] = new RegistryHostSettings(Insecure: true);
        }

        return new RegistryClientOptions
        {
            Credentials = CredentialDiscovery.Create(access.AuthFile),
            Hosts = hosts,
            CaFiles = access.CaFiles,
            TopLayerPrefetchFilter = cache?.Directory is null ? null : digest => !cache.Contains(digest),
        };
    }

    /// <summary>Resolves the image named <paramref name="name"/> for the session's platform.</summary>
    public Task<ResolvedImage> ResolveAsync(string name, CancellationToken cancellationToken)
        => Sources.Open(name).ResolveAsync(Access.Platform, cancellationToken);

    /// <summary>The merged filesystem of <paramref name="image"/>, with progress on stderr when it is a terminal.</summary>
    public ImageFileSystem OpenFileSystem(ResolvedImage image) => new(image, new ImageFileSystemOptions
    {
        Cache = Cache,
        Progress = _console.IsErrorTerminal ? new TerminalProgress(_console.Error) : null,
        Logger = _loggerFactory.CreateLogger<ImageFileSystem>(),
    });

    /// <summary>
    /// Resolves <paramref name="image"/> and looks up <paramref name="path"/> in its merged filesystem, following
    /// symlinks; when there is no such entry, says so on stderr and returns null.
    /// </summary>
    public async Task<FoundEntry?> FindEntryAsync(string image, string path, CancellationToken cancellationToken)
    {
        var resolved = await ResolveAsync(image, cancellationToken);
        var fileSystem = OpenFileSystem(resolved);
        var entry = await fileSystem.GetEntryAsync(path, followSymlinks: true, cancellationToken);
        if (entry is null)
        {
            await _console.Error.WriteLineAsync($"kmm-preflight: not found: {path}: no such file or directory in {resolved.Name}");
            return null;
        }

        return new FoundEntry(resolved, fileSystem, entry);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Client.Dispose();
        _loggerFactory.Dispose();
    }
}
