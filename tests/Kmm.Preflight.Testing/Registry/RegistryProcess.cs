using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Auth;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Testing.Registry;

/// <summary>
/// A real <c>docker-registry serve</c> (CNCF distribution 2.8) on 127.0.0.1 with a free port and temporary storage,
/// in one of the <see cref="RegistryMode"/> set-ups. Start one with <see cref="StartAsync"/> (dispose it), or share
/// one per mode across tests with <see cref="GetSharedAsync"/> (stopped when the test process exits).
/// </summary>
/// <remarks>
/// Token auth: the registry and its token server both use HTTPS with certificates from <see cref="CaFile"/>, so a
/// client configured with that CA file trusts both; no plain-HTTP realm exception is needed.
/// </remarks>
public sealed partial class RegistryProcess : IAsyncDisposable
{
    private static readonly Dictionary<RegistryMode, Lazy<Task<RegistryProcess>>> Shared = [];
    private static readonly Lock SharedLock = new();

    private Process _process;
    private readonly string _directory;
    private readonly TestCertificateAuthority? _ca;
    // Enough for a test to count the requests it caused on a registry of its own (a request logs a line or two).
    private const int MaxLogLines = 20_000;
    private readonly Queue<string> _log = new();
    private long _logLinesWritten;
    private long _lastLogTicks;
    private Process? _watchdog;

    private RegistryProcess(RegistryMode mode, Process process, string directory, TestCertificateAuthority? ca, TokenServer? tokenServer)
    {
        Mode = mode;
        _process = process;
        _directory = directory;
        _ca = ca;
        TokenServer = tokenServer;
    }

    /// <summary>The set-up.</summary>
    public RegistryMode Mode { get; }

    /// <summary>Where the registry listens, <c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; private set; } = string.Empty;

    /// <summary>The user name for <see cref="RegistryMode.BasicAuth"/> and <see cref="RegistryMode.TokenAuth"/>; null otherwise.</summary>
    public string? Username { get; private set; }

    /// <summary>The password for <see cref="Username"/>.</summary>
    public string? Password { get; private set; }

    /// <summary>The credentials, or null in the anonymous modes.</summary>
    public RegistryCredential? Credential => Username is null ? null : new RegistryCredential { Username = Username, Password = Password };

    /// <summary>The PEM file of the test CA (TLS and token modes), or null.</summary>
    public string? CaFile { get; private set; }

    /// <summary>A directory with the CA as <c>ca.crt</c>, for <c>skopeo --cert-dir</c>, or null.</summary>
    public string? CertDirectory { get; private set; }

    /// <summary>The token server (token mode), or null.</summary>
    public TokenServer? TokenServer { get; }

    /// <summary>Whether the registry speaks plain HTTP.</summary>
    public bool IsPlainHttp => Mode is RegistryMode.PlainHttp or RegistryMode.BasicAuth;

    /// <summary>
    /// How many log lines the registry has written so far: a mark for <see cref="LogSince"/>. Unlike
    /// <c>RecentLog.Count</c> it keeps growing once the kept window (20,000 lines) is full.
    /// </summary>
    public long LogMark
    {
        get
        {
            lock (_log)
            {
                return _logLinesWritten;
            }
        }
    }

    /// <summary>The log lines written after <paramref name="mark"/> (a <see cref="LogMark"/>), as far as they are still kept.</summary>
    public IReadOnlyList<string> LogSince(long mark)
    {
        lock (_log)
        {
            var newer = (int)Math.Min(_logLinesWritten - mark, _log.Count);
            return [.. _log.Skip(_log.Count - newer)];
        }
    }

    /// <summary>
    /// Waits until the log has been quiet for <paramref name="quiet"/> (at most 10 s): the registry logs a request
    /// after it has sent the response, so a client can finish before its last requests are in the log.
    /// </summary>
    public async Task WaitForQuietLogAsync(TimeSpan quiet)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (Environment.TickCount64 < deadline)
        {
            long last;
            lock (_log)
            {
                last = _lastLogTicks;
            }

            var idle = Environment.TickCount64 - last;
            if (idle >= quiet.TotalMilliseconds)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(quiet.TotalMilliseconds - idle + 10));
        }
    }

    /// <summary>The registry's log lines (the last 20,000), for diagnostics and for counting requests.</summary>
    public IReadOnlyList<string> RecentLog
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>Starts a registry in <paramref name="mode"/> and waits until it listens.</summary>
    /// <exception cref="InvalidOperationException"><c>docker-registry</c> is missing, exits, or does not start in time.</exception>
    public static async Task<RegistryProcess> StartAsync(RegistryMode mode, CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable("docker-registry")
            ?? throw new InvalidOperationException("docker-registry is not installed (Debian package 'docker-registry'); registry integration tests need it on PATH.");
        var directory = Directory.CreateTempSubdirectory("kmm-registry-").FullName;
        TestCertificateAuthority? ca = null;
        TokenServer? tokenServer = null;
        try
        {
            var config = new List<string>
            {
                "version: 0.1",
                "log:",
                "  level: info",
                "  accesslog:",
                "    disabled: true",
                "storage:",
                "  filesystem:",
                $"    rootdirectory: {Path.Combine(directory, "data")}",
                "  delete:",
                "    enabled: true",
                "http:",
                "  addr: 127.0.0.1:0",
                $"  secret: {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}",
            };
            string? username = null;
            string? password = null;
            string? caFile = null;
            string? certDirectory = null;
            if (mode is RegistryMode.Tls or RegistryMode.TokenAuth)
            {
                ca = new TestCertificateAuthority();
                caFile = Path.Combine(directory, "ca.pem");
                ca.WriteCertificatePem(caFile);
                certDirectory = Directory.CreateDirectory(Path.Combine(directory, "certs")).FullName;
                ca.WriteCertificatePem(Path.Combine(certDirectory, "ca.crt"));
                using var server = ca.IssueServerCertificate();
                var certificatePath = Path.Combine(directory, "server.crt");
                var keyPath = Path.Combine(directory, "server.key");
                TestCertificateAuthority.WritePem(server, certificatePath, keyPath);
                config.AddRange(["  tls:", $"    certificate: {certificatePath}", $"    key: {keyPath}"]);
            }

            if (mode is RegistryMode.BasicAuth)
            {
                (username, password) = ("tester", "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
                var htpasswd = Path.Combine(directory, "htpasswd");
                await File.WriteAllTextAsync(htpasswd, await HtpasswdLineAsync(username, password, cancellationToken), cancellationToken);
                config.AddRange(["auth:", "  htpasswd:", "    realm: kmm-test", $"    path: {htpasswd}"]);
            }

            if (mode is RegistryMode.TokenAuth)
            {
                (username, password) = ("tokenuser", "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
                tokenServer = new TokenServer(ca!, username, password);
                config.AddRange(["auth:", "  token:", $"    realm: {tokenServer.Realm}", $"    service: {tokenServer.Service}",
                    $"    issuer: {tokenServer.Issuer}", $"    rootcertbundle: {caFile}"]);
            }

            var configPath = Path.Combine(directory, "config.yml");
            await File.WriteAllLinesAsync(configPath, config, cancellationToken);
            var process = Launch(executable, configPath, directory);
            var registry = new RegistryProcess(mode, process, directory, ca, tokenServer)
            {
                Username = username,
                Password = password,
                CaFile = caFile,
                CertDirectory = certDirectory,
                _watchdog = StartWatchdog(process.Id, directory),
            };
            try
            {
                registry.Host = await registry.WaitForListeningAsync(cancellationToken);
                return registry;
            }
            catch
            {
                await registry.DisposeAsync();
                throw;
            }
        }
        catch
        {
            if (tokenServer is not null)
            {
                await tokenServer.DisposeAsync();
            }

            ca?.Dispose();
            TryDelete(directory);
            throw;
        }
    }

    /// <summary>One registry per mode for the whole test run, started on first use and stopped at process exit.</summary>
    public static Task<RegistryProcess> GetSharedAsync(RegistryMode mode)
    {
        Lazy<Task<RegistryProcess>> lazy;
        lock (SharedLock)
        {
            if (!Shared.TryGetValue(mode, out lazy!) || lazy.Value.IsFaulted)
            {
                lazy = new Lazy<Task<RegistryProcess>>(() => StartSharedAsync(mode));
                Shared[mode] = lazy;
            }
        }

        return lazy.Value;
    }

    /// <summary>A reference to <paramref name="repositoryAndTag"/> (e.g. <c>test/app:v1</c>) in this registry.</summary>
    public ImageReference Reference(string repositoryAndTag) => ImageReference.Parse($"{Host}/{repositoryAndTag}");

    /// <summary>Client options that reach this registry: plain HTTP or the CA file, and its credentials when asked.</summary>
    public RegistryClientOptions CreateClientOptions(bool withCredentials = true) => new()
    {
        Credentials = withCredentials && Credential is { } credential ? new StaticCredentialProvider(Host, credential) : null,
        Hosts = new Dictionary<string, RegistryHostSettings>(StringComparer.OrdinalIgnoreCase) { [Host] = new RegistryHostSettings(Insecure: IsPlainHttp) },
        CaFiles = CaFile is null ? [] : [CaFile],
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>A client for this registry (see <see cref="CreateClientOptions"/>).</summary>
    public RegistryClient CreateClient(bool withCredentials = true, ILogger? logger = null) => new(CreateClientOptions(withCredentials), logger);

    /// <summary>The <c>skopeo</c> options that reach this registry (<c>--tls-verify=false</c> or <c>--cert-dir</c>, and <c>--creds</c>).</summary>
    public IReadOnlyList<string> SkopeoOptions(bool withCredentials = true)
    {
        var options = new List<string>();
        options.AddRange(IsPlainHttp ? ["--tls-verify=false"] : ["--cert-dir", CertDirectory!]);
        if (withCredentials && Username is not null)
        {
            options.AddRange(["--creds", $"{Username}:{Password}"]);
        }

        return options;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }

        _process.Dispose();
        if (_watchdog is not null)
        {
            try
            {
                if (!_watchdog.HasExited)
                {
                    _watchdog.Kill();
                }
            }
            catch (InvalidOperationException)
            {
            }

            _watchdog.Dispose();
        }

        if (TokenServer is not null)
        {
            await TokenServer.DisposeAsync();
        }

        _ca?.Dispose();
        TryDelete(_directory);
    }

    private static async Task<RegistryProcess> StartSharedAsync(RegistryMode mode)
    {
        var registry = await StartAsync(mode);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => registry.KillNow();
        return registry;
    }

    /// <summary>
    /// A shell that kills the registry and deletes its directory once this test process is gone: the test host
    /// may be killed without running exit handlers, and an orphaned registry would live on. SIGCONT after SIGTERM:
    /// registries were seen left stopped (state T) after full runs, where a pending SIGTERM never lands.
    /// </summary>
    private static Process? StartWatchdog(int registryPid, string directory)
    {
        if (!File.Exists("/bin/sh"))
        {
            return null;
        }

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("while kill -0 \"$0\" 2>/dev/null && kill -0 \"$1\" 2>/dev/null; do sleep 1; done; kill \"$1\" 2>/dev/null; kill -CONT \"$1\" 2>/dev/null; rm -rf \"$2\"");
        start.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(registryPid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(directory);
        return Process.Start(start);
    }

    private void KillNow()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            if (_watchdog is { HasExited: false })
            {
                _watchdog.Kill();
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        TryDelete(_directory);
    }

    private static Process Launch(string executable, string configPath, string directory)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(configPath);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)).ToList())
        {
            // Settings from the environment would override the generated config.
            start.Environment.Remove(name);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
    }

    private async Task<string> WaitForListeningAsync(CancellationToken cancellationToken)
    {
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_log)
            {
                _log.Enqueue(line);
                _logLinesWritten++;
                _lastLogTicks = Environment.TickCount64;
                if (_log.Count > MaxLogLines)
                {
                    _log.Dequeue();
                }
            }

            var match = ListeningPattern().Match(line);
            if (match.Success)
            {
                listening.TrySetResult(match.Groups[1].Value);
            }
        }

        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException(
            $"docker-registry exited with code {_process.ExitCode} before listening ({Mode}):{Environment.NewLine}{string.Join(Environment.NewLine, RecentLog)}"));
        if (_process.HasExited)
        {
            listening.TrySetException(new InvalidOperationException($"docker-registry exited immediately ({Mode})"));
        }

        try
        {
            return await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"docker-registry did not report 'listening on' within 30 s ({Mode}):{Environment.NewLine}{string.Join(Environment.NewLine, RecentLog)}", e);
        }
    }

    private static async Task<string> HtpasswdLineAsync(string username, string password, CancellationToken cancellationToken)
    {
        var executable = FindExecutable("htpasswd")
            ?? throw new InvalidOperationException("htpasswd is not installed (Debian package 'apache2-utils'); the Basic-auth registry needs it.");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-Bbn", username, password })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"htpasswd failed: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
        }

        return output.Trim() + "\n";
    }

    internal static string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"listening on (127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningPattern();
}
