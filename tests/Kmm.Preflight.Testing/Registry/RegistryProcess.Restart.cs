namespace Kmm.Preflight.Testing.Registry;

/// <content>Killing the registry and starting it again on the same port and storage, as a crash and restart does.</content>
public sealed partial class RegistryProcess
{
    /// <summary>Kills the registry process (SIGKILL, connections cut mid-answer).</summary>
    public async Task KillAsync()
    {
        // The watchdog deletes the storage once the registry is gone: stop it first, the restart needs that storage.
        if (_watchdog is { HasExited: false })
        {
            _watchdog.Kill();
            await _watchdog.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Starts the registry again after <see cref="KillAsync"/>: same port, same storage, same settings.</summary>
    /// <exception cref="InvalidOperationException">It does not listen on the same port again.</exception>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var configPath = Path.Combine(_directory, "config.yml");
        var config = await File.ReadAllTextAsync(configPath, cancellationToken);
        // The first start asked for a free port; a restart must keep the one clients know.
        await File.WriteAllTextAsync(configPath, config.Replace("addr: 127.0.0.1:0", $"addr: {Host}", StringComparison.Ordinal), cancellationToken);
        var executable = FindExecutable("docker-registry") ?? throw new InvalidOperationException("docker-registry is not installed");
        var old = _process;
        _process = Launch(executable, configPath, _directory);
        old.Dispose();
        _watchdog?.Dispose();
        _watchdog = StartWatchdog(_process.Id, _directory);
        var host = await WaitForListeningAsync(cancellationToken);
        if (host != Host)
        {
            throw new InvalidOperationException($"the restarted registry listens on {host}, not {Host}");
        }
    }
}
