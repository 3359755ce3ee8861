using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// A registry v2 / OCI distribution API client: challenge-driven auth, manifests, streamed blobs, push.
/// Thread-safe; one instance per set of options.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    private readonly RegistryTransport _transport;
    private readonly ILogger _logger;

    /// <summary>Creates a client.</summary>
    /// <exception cref="ArgumentException">The options are invalid (every problem listed), or a CA file in <paramref name="options"/> is missing or not PEM.</exception>
    public RegistryClient(RegistryClientOptions? options = null, ILogger? logger = null)
    {
        Options = options ?? new RegistryClientOptions();
        if (Options.Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException($"invalid registry client options: {string.Join("; ", problems)}", nameof(options));
        }

        _logger = logger ?? NullLogger.Instance;
        _transport = new RegistryTransport(Options, _logger);
    }

    /// <summary>The options.</summary>
    public RegistryClientOptions Options { get; }

    /// <inheritdoc />
    public void Dispose() => _transport.Dispose();

    private Task<HttpResponseMessage> SendAsync(ImageReference reference, RegistryRequest request, CancellationToken cancellationToken) =>
        _transport.SendAsync(reference.Registry, reference.ApiHost, request, cancellationToken);

    private static string RepositoryPath(ImageReference reference) => $"/v2/{reference.Repository}";
}
