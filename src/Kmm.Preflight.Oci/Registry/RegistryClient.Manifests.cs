using System.Net;
using System.Net.Http.Headers;
using Kmm.Preflight.Oci.Layers;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Oci.Registry.Transport;

namespace Kmm.Preflight.Oci.Registry;

/// <content>Manifests: fetch (always with the full Accept list, digest-checked when pinned) and push.</content>
public sealed partial class RegistryClient
{
    /// <summary>Fetches and parses a manifest or index (its bytes, media type and digest kept).</summary>
    /// <exception cref="RegistryNotFoundException">The repository or manifest does not exist.</exception>
    /// <exception cref="RegistryUnauthorizedException">Access was refused.</exception>
    /// <exception cref="RegistryException">Any other registry or connection failure.</exception>
    /// <exception cref="InvalidDataException">The manifest exceeds 4 MiB, does not match the pinned digest, or is malformed, ambiguous or schema 1.</exception>
    public async Task<ManifestDocument> GetManifestAsync(ImageReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var operation = $"fetching manifest of {reference}";
        using var response = await SendAsync(
            reference,
            new RegistryRequest
            {
                Method = HttpMethod.Get,
                Target = $"{RepositoryPath(reference)}/manifests/{reference.ManifestReference}",
                Scopes = [TokenScope.Pull(reference.Repository)],
                Operation = operation,
                Accept = [.. MediaType.ManifestTypes.Select(m => m.Value)],
            },
            cancellationToken);
        await RegistryErrorBody.EnsureSuccessAsync(response, operation, cancellationToken);
        var content = await BoundedContent.ReadAsync(response.Content, ManifestParser.MaxManifestBytes, truncate: false, cancellationToken, $"manifest of {reference}");
        var digest = Digest.Sha256(content);
        if (reference.Digest is { } pinned && pinned != digest)
        {
            var actual = pinned.Algorithm == digest.Algorithm ? digest : DigestVerifier.Compute(pinned.Algorithm, content);
            if (actual != pinned)
            {
                throw new InvalidDataException($"manifest of {reference}: the registry served content with digest {actual}, not the requested {pinned}.");
            }
        }

        return ManifestParser.Parse(content, response.Content.Headers.ContentType?.MediaType, reference.ToString(), digest);
    }

    /// <summary>Pushes a manifest or index under the reference's tag (or digest) and returns its digest.</summary>
    /// <exception cref="RegistryException">The registry refused it (e.g. <c>MANIFEST_BLOB_UNKNOWN</c> when a blob is missing).</exception>
    public Task<Digest> PushManifestAsync(ImageReference reference, MediaType mediaType, byte[] content, CancellationToken cancellationToken = default) =>
        PushManifestAsync(reference, mediaType.Value, content, cancellationToken);

    /// <summary>Pushes a manifest or index under the reference's tag (or digest) and returns its digest.</summary>
    /// <exception cref="RegistryException">The registry refused it (e.g. <c>MANIFEST_BLOB_UNKNOWN</c> when a blob is missing).</exception>
    /// <exception cref="ArgumentException">The reference pins a digest that <paramref name="content"/> does not have.</exception>
    public async Task<Digest> PushManifestAsync(ImageReference reference, string mediaType, byte[] content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        ArgumentNullException.ThrowIfNull(content);
        var digest = Digest.Sha256(content);
        if (reference.Digest is { } pinned && pinned != digest)
        {
            throw new ArgumentException($"the manifest's digest is {digest}, not {pinned} as {reference} says.", nameof(content));
        }

        var operation = $"pushing manifest {reference}";
        using var response = await SendAsync(
            reference,
            new RegistryRequest
            {
                Method = HttpMethod.Put,
                Target = $"{RepositoryPath(reference)}/manifests/{reference.ManifestReference}",
                Scopes = [TokenScope.PullPush(reference.Repository)],
                Operation = operation,
                FollowRedirects = false,
                Content = () => new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } },
            },
            cancellationToken);
        await RegistryErrorBody.EnsureSuccessAsync(response, operation, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            _logger.LogDebugUnexpected(operation, response.StatusCode);
        }

        return digest;
    }
}
