using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>Runs a Docker credential helper (<c>docker-credential-NAME get</c>, server URL on stdin).</summary>
internal static partial class CredentialHelper
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The credentials the helper holds for <paramref name="registry"/>, or null when it has none.</summary>
    /// <exception cref="RegistryException">The helper is missing, fails, times out or answers garbage.</exception>
    public static async Task<RegistryCredential?> GetAsync(string helper, string registry, CancellationToken cancellationToken)
    {
        if (!NamePattern().IsMatch(helper))
        {
            throw new RegistryException($"credential helper name '{helper}' is not valid.");
        }

        var executable = $"docker-credential-{helper}";
        var serverUrl = registry == References.ImageReference.DockerHubRegistry ? "https://index.docker.io/v1/" : registry;
        var start = new ProcessStartInfo(executable, "get")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new RegistryException($"could not start {executable}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RegistryException($"credential helper {executable} (configured for {registry}) is not installed or not on PATH.", e);
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                await process.StandardInput.WriteAsync(serverUrl);
                process.StandardInput.Close();
                var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var error = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
                var text = (await output).Trim();
                if (process.ExitCode != 0)
                {
                    var message = (text + " " + await error).Trim();
                    if (message.Contains("credentials not found", StringComparison.OrdinalIgnoreCase))
                    {
                        return null;
                    }

                    throw new RegistryException($"credential helper {executable} failed for {registry} (exit {process.ExitCode}): {Shorten(message)}");
                }

                return Parse(text, executable, registry);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new RegistryException($"credential helper {executable} did not answer for {registry} within {Timeout.TotalSeconds} s.");
            }
        }
    }

    /// <summary>Parses <c>{"ServerURL","Username","Secret"}</c>; user <c>&lt;token&gt;</c> means an identity token.</summary>
    public static RegistryCredential Parse(string json, string executable, string registry)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var username = root.TryGetProperty("Username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            var secret = root.TryGetProperty("Secret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return username == "<token>"
                ? new RegistryCredential { IdentityToken = secret }
                : new RegistryCredential { Username = username, Password = secret };
        }
        catch (JsonException e)
        {
            // Do not echo the output: it may hold a secret.
            throw new RegistryException($"credential helper {executable} answered invalid JSON for {registry}.", e);
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex NamePattern();
}
