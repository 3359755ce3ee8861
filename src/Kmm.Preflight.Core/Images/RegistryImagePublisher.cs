using Kmm.Preflight.Core.Registry;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Oci.Writing;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Images;

/// <summary>
/// Pushes with the run's own registry clients (the module's pull secret, the auth file, the mapping's registryTLS:
/// the same as every read), so the engine's or the host's registry configuration never decides where an image goes;
/// saves into one OCI image layout when the run was given a directory.
/// </summary>
public sealed class RegistryImagePublisher : IImagePublisher, IDisposable
{
    private readonly RegistryClientPool _pool;
    private readonly string? _saveDirectory;
    private readonly ILogger? _logger;
    private readonly SemaphoreSlim _saving = new(1, 1);

    /// <summary>Creates a publisher over <paramref name="pool"/>, saving into <paramref name="saveDirectory"/> when it is set.</summary>
    public RegistryImagePublisher(RegistryClientPool pool, string? saveDirectory = null, ILogger? logger = null)
    {
        _pool = pool ?? throw new ArgumentNullException(nameof(pool));
        _saveDirectory = string.IsNullOrEmpty(saveDirectory) ? null : Path.GetFullPath(saveDirectory);
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<PublishedImage> PushAsync(ResolvedImage image, ImageRequest reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(reference);
        try
        {
            var target = ImageReference.Parse(reference.Reference);
            var client = _pool.Get(target, reference.RegistryTls, reference.Credentials, reference.CredentialsKey);
            var result = await new ImagePusher(client, logger: _logger).PushAsync(image, target, cancellationToken);
            _logger?.LogInformation("pushed {Image} to {Target}@{Digest}: {Uploaded} blob(s) uploaded ({Bytes} bytes), {Mounted} mounted, {Present} already there",
                image.Name, reference.Reference, result.Digest, result.Uploaded, result.BytesUploaded, result.Mounted, result.AlreadyPresent);
            return new PublishedImage
            {
                Reference = reference.Reference,
                Digest = result.Digest.ToString(),
                BytesUploaded = result.BytesUploaded,
                BlobsUploaded = result.Uploaded,
                BlobsReused = result.Mounted + result.AlreadyPresent,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ImageAccessException)
        {
            throw RegistryImageOpener.Classify(reference.Reference, ex);
        }
    }

    /// <inheritdoc />
    public async Task<string?> SaveAsync(ResolvedImage image, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_saveDirectory is null)
        {
            return null;
        }

        // One index.json for the whole run: writes to it take turns.
        await _saving.WaitAsync(cancellationToken);
        try
        {
            var tag = LayoutTag(name);
            await OciLayoutWriter.WriteAsync(image, _saveDirectory, tag, cancellationToken);
            return $"oci:{_saveDirectory}:{tag}";
        }
        catch (InvalidDataException ex)
        {
            throw new IOException($"saving {name} into {_saveDirectory}: {ex.Message}", ex);
        }
        finally
        {
            _saving.Release();
        }
    }

    /// <summary>Releases the save lock.</summary>
    public void Dispose() => _saving.Dispose();

    // OCI's ref.name grammar allows a full image reference (host:port/repo:tag); anything else becomes '_'.
    private static string LayoutTag(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or ':' or '@' or '/' or '+' ? c : '_').ToArray();
        return new string(chars).Trim('-', '.', '_', ':', '@', '/', '+') is { Length: > 0 } tag ? tag : "image";
    }
}
