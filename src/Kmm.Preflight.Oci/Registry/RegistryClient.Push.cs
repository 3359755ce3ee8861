using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Oci.Registry.Transport;

namespace Kmm.Preflight.Oci.Registry;

/// <content>Blob upload: monolithic POST + PUT, chunked PATCH for large blobs or when a monolithic PUT is refused, cross-repository mount.</content>
public sealed partial class RegistryClient
{
    /// <summary>Pushes a blob held in memory unless the repository already has it.</summary>
    /// <exception cref="ArgumentException"><paramref name="content"/> does not have <paramref name="digest"/>.</exception>
    /// <exception cref="RegistryException">The registry refused the upload.</exception>
    public Task PushBlobAsync(ImageReference repository, Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (Digest.Sha256(content.Span) != digest)
        {
            throw new ArgumentException($"the content's digest is {Digest.Sha256(content.Span)}, not {digest}.", nameof(content));
        }

        return PushBlobCoreAsync(repository, digest, content.Length, new MemoryBlobContent(content), cancellationToken);
    }

    /// <summary>
    /// Pushes <paramref name="size"/> bytes of <paramref name="content"/> as blob <paramref name="digest"/> unless the
    /// repository already has it. A seekable stream can be retried; a non-seekable one is sent once.
    /// </summary>
    /// <exception cref="RegistryException">The registry refused the upload (e.g. <c>DIGEST_INVALID</c>).</exception>
    public Task PushBlobAsync(ImageReference repository, Digest digest, Stream content, long size, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return PushBlobCoreAsync(repository, digest, size, new StreamBlobContent(content, size), cancellationToken);
    }

    /// <summary>
    /// Asks the registry to mount <paramref name="digest"/> from <paramref name="from"/> into
    /// <paramref name="repository"/> (same registry). Returns false when the registry started an upload instead.
    /// </summary>
    public async Task<bool> MountBlobAsync(ImageReference repository, Digest digest, ImageReference from, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(from);
        var operation = $"mounting blob {digest} from {from.RepositoryName} into {repository.RepositoryName}";
        using var response = await SendAsync(
            repository,
            new RegistryRequest
            {
                Method = HttpMethod.Post,
                Target = $"{RepositoryPath(repository)}/blobs/uploads/?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(from.Repository)}",
                Scopes = [TokenScope.PullPush(repository.Repository), TokenScope.Pull(from.Repository)],
                Operation = operation,
                FollowRedirects = false,
            },
            cancellationToken);
        await RegistryErrorBody.EnsureSuccessAsync(response, operation, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return true;
        }

        if (response.Headers.Location is { } location)
        {
            await CancelUploadAsync(repository, location, response.RequestMessage?.RequestUri, cancellationToken);
        }

        return false;
    }

    private async Task PushBlobCoreAsync(ImageReference repository, Digest digest, long size, BlobContent content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (await BlobExistsAsync(repository, digest, cancellationToken))
        {
            return;
        }

        await UploadBlobAsync(repository, digest, size, content, cancellationToken);
    }

    /// <summary>Uploads a blob without first asking whether the repository has it (the caller just did).</summary>
    internal async Task UploadBlobAsync(ImageReference repository, Digest digest, long size, BlobContent content, CancellationToken cancellationToken)
    {
        if (size <= Options.MaxMonolithicUploadBytes)
        {
            var location = await StartUploadAsync(repository, digest, cancellationToken);
            var operation = $"uploading blob {digest} to {repository.RepositoryName}";
            using var response = await SendAsync(
                repository,
                new RegistryRequest
                {
                    Method = HttpMethod.Put,
                    Target = WithDigest(location, digest),
                    Scopes = [TokenScope.PullPush(repository.Repository)],
                    Operation = operation,
                    FollowRedirects = false,
                    Retryable = content.IsReplayable,
                    Content = () => content.Create(0, size),
                },
                cancellationToken);
            if (response.StatusCode != HttpStatusCode.RequestEntityTooLarge || !content.IsReplayable)
            {
                await RegistryErrorBody.EnsureSuccessAsync(response, operation, cancellationToken);
                return;
            }

            _logger.LogDebug("{Operation}: monolithic upload refused with 413; uploading in chunks", operation);
        }

        await PushChunkedAsync(repository, digest, size, content, cancellationToken);
    }

    private async Task PushChunkedAsync(ImageReference repository, Digest digest, long size, BlobContent content, CancellationToken cancellationToken)
    {
        var location = await StartUploadAsync(repository, digest, cancellationToken);
        var operation = $"uploading blob {digest} to {repository.RepositoryName} in chunks";
        var buffer = new byte[(int)Math.Min(Options.UploadChunkSize, Math.Max(size, 1))];
        for (long offset = 0; offset < size;)
        {
            var length = await content.ReadChunkAsync(buffer, offset, (int)Math.Min(buffer.Length, size - offset), cancellationToken);
            var chunk = buffer.AsMemory(0, length);
            var start = offset;
            using var response = await SendAsync(
                repository,
                new RegistryRequest
                {
                    Method = HttpMethod.Patch,
                    Target = location,
                    Scopes = [TokenScope.PullPush(repository.Repository)],
                    Operation = operation,
                    FollowRedirects = false,
                    Content = () => ChunkContent(chunk, start),
                },
                cancellationToken);
            await RegistryErrorBody.EnsureSuccessAsync(response, operation, cancellationToken);
            location = NextLocation(response, location);
            offset += length;
        }

        using var final = await SendAsync(
            repository,
            new RegistryRequest
            {
                Method = HttpMethod.Put,
                Target = WithDigest(location, digest),
                Scopes = [TokenScope.PullPush(repository.Repository)],
                Operation = operation,
                FollowRedirects = false,
                Content = () => new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
            },
            cancellationToken);
        await RegistryErrorBody.EnsureSuccessAsync(final, operation, cancellationToken);
    }

    private async Task<string> StartUploadAsync(ImageReference repository, Digest digest, CancellationToken cancellationToken)
    {
        var operation = $"starting upload of blob {digest} to {repository.RepositoryName}";
        using var response = await SendAsync(
            repository,
            new RegistryRequest
            {
                Method = HttpMethod.Post,
                Target = $"{RepositoryPath(repository)}/blobs/uploads/",
                Scopes = [TokenScope.PullPush(repository.Repository)],
                Operation = operation,
                FollowRedirects = false,
            },
            cancellationToken);
        await RegistryErrorBody.EnsureSuccessAsync(response, operation, cancellationToken);
        return NextLocation(response, null) ?? throw new RegistryException($"{operation}: the registry answered {(int)response.StatusCode} without a Location header.");
    }

    private async Task CancelUploadAsync(ImageReference repository, Uri location, Uri? requestUri, CancellationToken cancellationToken)
    {
        var target = requestUri is null || location.IsAbsoluteUri ? location.ToString() : new Uri(requestUri, location).ToString();
        using var response = await SendAsync(
            repository,
            new RegistryRequest
            {
                Method = HttpMethod.Delete,
                Target = target,
                Scopes = [TokenScope.PullPush(repository.Repository)],
                Operation = $"cancelling an upload to {repository.RepositoryName}",
                FollowRedirects = false,
            },
            cancellationToken);
        _logger.LogDebug("Cancelled unneeded upload session: {Status}", (int)response.StatusCode);
    }

    private static string NextLocation(HttpResponseMessage response, string? current)
    {
        var location = response.Headers.Location;
        if (location is null)
        {
            return current!;
        }

        var baseUri = response.RequestMessage?.RequestUri;
        return location.IsAbsoluteUri || baseUri is null ? location.ToString() : new Uri(baseUri, location).ToString();
    }

    private static string WithDigest(string location, Digest digest) =>
        location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest.ToString());

    private static ReadOnlyMemoryContent ChunkContent(ReadOnlyMemory<byte> chunk, long start)
    {
        var content = new ReadOnlyMemoryContent(chunk);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        // The distribution spec's Content-Range for uploads is "start-end" (inclusive), without a unit.
        content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + chunk.Length - 1}");
        return content;
    }
}
