using System.Diagnostics;

namespace Kmm.Preflight.Testing.Toc;

/// <summary>
/// A private <c>containerd</c> (own root, state and socket in a short temporary directory), for <c>ctr-remote images
/// convert --estargz</c>, which needs a content store. Stopped and deleted on dispose.
/// </summary>
public sealed class ContainerdProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private ContainerdProcess(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    /// <summary>The gRPC socket.</summary>
    public string Socket => Path.Combine(_directory, "c.sock");

    /// <summary>Starts containerd and waits until <c>ctr version</c> answers.</summary>
    public static async Task<ContainerdProcess> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = TocTools.Require("containerd");
        TocTools.Require("ctr");

        // Short path: unix socket paths must stay under 108 bytes.
        var directory = Directory.CreateTempSubdirectory("kc").FullName;
        var config = Path.Combine(directory, "config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{directory}/root"
            state = "{directory}/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{directory}/c.sock"
            """, cancellationToken);
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var containerd = new ContainerdProcess(process, directory);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await containerd.CtrAsync(["version"], cancellationToken);
                    return containerd;
                }
                catch (InvalidOperationException) when (attempt < 100 && !process.HasExited)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }
        }
        catch
        {
            await containerd.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>ctr -a SOCKET ARGS</c>.</summary>
    public Task<string> CtrAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default) =>
        TocTools.RunAsync("ctr", ["-a", Socket, .. arguments], cancellationToken);

    /// <summary>Runs <c>ctr-remote -a SOCKET ARGS</c>.</summary>
    public Task<string> CtrRemoteAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default) =>
        TocTools.RunAsync("ctr-remote", ["-a", Socket, .. arguments], cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Snapshot mounts may linger a moment; a temporary directory left behind is harmless.
        }
    }
}
