using System.Diagnostics;
using System.Net.Http;
using System.Net.Sockets;
using NUnit.Framework;

namespace Kmm.Preflight.Testing.Engines;

/// <summary>
/// A real container engine the tests start and stop themselves: <c>dockerd</c> or <c>podman system service</c>, each
/// in a short temporary directory (socket paths must stay under 108 bytes), vfs storage, no bridge, no iptables, so it
/// runs beside any other engine on the machine and changes nothing outside its directory. It runs in its own process
/// group (<c>setsid</c>), which is killed as a whole at the end, containerd and conmon included.
/// </summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private static readonly Dictionary<EngineKind, Lazy<Task<EngineProcess>>> Shared = [];
    private static readonly Lock SharedLock = new();

    private readonly Process _process;
    private readonly string _logFile;

    private EngineProcess(EngineKind kind, Process process, string directory, string socket, string logFile)
    {
        Kind = kind;
        _process = process;
        Directory = directory;
        Host = new Uri("unix://" + socket);
        _logFile = logFile;
    }

    /// <summary>Which engine.</summary>
    public EngineKind Kind { get; }

    /// <summary>Its API, <c>unix:///tmp/…/engine.sock</c>.</summary>
    public Uri Host { get; }

    /// <summary>Its directory (socket, storage, log).</summary>
    public string Directory { get; }

    /// <summary>The last lines of the engine's log, for failure messages.</summary>
    public string RecentLog => File.Exists(_logFile) ? string.Join(Environment.NewLine, File.ReadLines(_logFile).TakeLast(30)) : string.Empty;

    /// <summary>
    /// One engine of <paramref name="kind"/> for the whole test run, stopped when the test process exits. When it
    /// cannot start, the test is ignored with the reason, except under <c>CI=true</c>, where it fails: CI must run both
    /// engines.
    /// </summary>
    public static async Task<EngineProcess> GetSharedOrIgnoreAsync(EngineKind kind)
    {
        Lazy<Task<EngineProcess>> lazy;
        lock (SharedLock)
        {
            if (!Shared.TryGetValue(kind, out lazy!))
            {
                lazy = new Lazy<Task<EngineProcess>>(async () =>
                {
                    var engine = await StartAsync(kind);
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => engine.Stop();
                    return engine;
                });
                Shared[kind] = lazy;
            }
        }

        try
        {
            return await lazy.Value;
        }
        catch (InvalidOperationException ex)
        {
            var message = $"the {kind} engine could not start: {ex.Message}";
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail(message);
            }

            Assert.Ignore(message);
            throw;
        }
    }

    /// <summary>Starts an engine and waits until <c>/_ping</c> answers.</summary>
    /// <exception cref="InvalidOperationException">The engine is not installed, exits, or does not answer within 60 s.</exception>
    public static async Task<EngineProcess> StartAsync(EngineKind kind, CancellationToken cancellationToken = default)
    {
        var executable = kind == EngineKind.Docker ? "dockerd" : "podman";
        if (Find(executable) is null || Find("setsid") is null)
        {
            throw new InvalidOperationException($"{executable} is not installed (Debian package '{(kind == EngineKind.Docker ? "docker.io" : "podman")}')");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory(kind == EngineKind.Docker ? "kd-" : "kp-").FullName;
        var socket = Path.Combine(directory, "engine.sock");
        var logFile = Path.Combine(directory, "engine.log");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = directory };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec setsid \"$@\" >\"$LOG\" 2>&1");
        start.ArgumentList.Add("sh");
        start.Environment["LOG"] = logFile;
        foreach (var argument in Arguments(kind, directory, socket))
        {
            start.ArgumentList.Add(argument);
        }

        if (kind == EngineKind.Podman)
        {
            var storage = Path.Combine(directory, "storage.conf");
            await File.WriteAllTextAsync(storage, $"[storage]\ndriver = \"vfs\"\nrunroot = \"{directory}/run\"\ngraphroot = \"{directory}/graph\"\n", cancellationToken);
            start.Environment["CONTAINERS_STORAGE_CONF"] = storage;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        StartWatchdog(process.Id, directory);
        var engine = new EngineProcess(kind, process, directory, socket, logFile);
        try
        {
            await engine.WaitForPingAsync(socket, cancellationToken);
            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private static IEnumerable<string> Arguments(EngineKind kind, string directory, string socket) => kind == EngineKind.Docker
        ?
        [
            "dockerd", "--host", "unix://" + socket, "--data-root", Path.Combine(directory, "root"), "--exec-root", Path.Combine(directory, "exec"),
            "--pidfile", Path.Combine(directory, "docker.pid"), "--config-file", WriteEmptyConfig(directory), "--storage-driver=vfs",
            "--iptables=false", "--ip-masq=false", "--ip-forward=false", "--bridge=none",
        ]
        :
        [
            "podman", "--root", Path.Combine(directory, "graph"), "--runroot", Path.Combine(directory, "run"), "--storage-driver", "vfs",
            "--tmpdir", Path.Combine(directory, "tmp"), "system", "service", "--time=0", "unix://" + socket,
        ];

    private static string WriteEmptyConfig(string directory)
    {
        var path = Path.Combine(directory, "daemon.json");
        File.WriteAllText(path, "{}");
        return path;
    }

    private async Task WaitForPingAsync(string socket, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Kind} exited with code {_process.ExitCode}:{Environment.NewLine}{RecentLog}");
            }

            try
            {
                if (File.Exists(socket) && (await client.GetStringAsync("http://engine/_ping", cancellationToken)) == "OK")
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or SocketException)
            {
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new InvalidOperationException($"{Kind} did not answer /_ping within 60 s:{Environment.NewLine}{RecentLog}");
    }

    private void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                // setsid made the engine a process group leader: one signal reaches containerd, conmon and the rest.
                Signal("-TERM");
                if (!_process.WaitForExit(5_000))
                {
                    Signal("-KILL");
                    _process.WaitForExit(5_000);
                }
            }
        }
        catch (InvalidOperationException)
        {
        }

        Unmount(Directory);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { signal, "--", "-" + _process.Id }, UseShellExecute = false });
        kill?.WaitForExit(5_000);
    }

    // Engines leave mounts (overlay of their run dirs, netns, shm) under their directory; unmount before deleting.
    private static void Unmount(string directory)
    {
        if (!File.Exists("/proc/self/mounts"))
        {
            return;
        }

        foreach (var mount in File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(directory, StringComparison.Ordinal)).Reverse())
        {
            using var umount = Process.Start(new ProcessStartInfo("umount") { ArgumentList = { "-l", mount }, UseShellExecute = false, RedirectStandardError = true });
            umount?.WaitForExit(5_000);
        }
    }

    // Kills the engine's process group once the test process is gone: the test host may be killed with its process
    // tree before exit handlers finish, so the watchdog is forked into its own session (setsid -f), out of that tree.
    // The directory is removed only when nothing is mounted under it any more. /bin/sh is dash here, whose kill
    // refuses "--", so the group is named as -PGID right after the signal.
    private static void StartWatchdog(int enginePid, string directory)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var argument in new[]
        {
            "-f", "/bin/sh", "-c",
            $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 2; done; kill -TERM -{enginePid} 2>/dev/null; sleep 5; "
            + $"kill -KILL -{enginePid} 2>/dev/null; sleep 1; grep -q ' {directory}' /proc/mounts || rm -rf '{directory}'",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var setsid = Process.Start(start);
        setsid?.WaitForExit(5_000);
    }

    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}
