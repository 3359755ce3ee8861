using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Engine;

/// <summary>
/// A small client of the Docker Engine API, as dockerd and podman's compatibility service serve it: only the calls
/// a build needs (<c>/_ping</c>, <c>/version</c>, image load, build, save, inspect, remove). Its JSON is read with
/// <see cref="System.Text.Json.JsonDocument"/>, so it works in the Native AOT tool; Docker.DotNet (Newtonsoft
/// reflection) does not, and Docker.DotNet.Enhanced cannot read BuildKit's build stream (its <c>aux</c> is a string there).
/// </summary>
internal sealed partial class EngineClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ILogger? _logger;

    /// <exception cref="ArgumentException"><paramref name="host"/> is not a supported engine address.</exception>
    public EngineClient(Uri host, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        Endpoint = EngineEndpoint.TryParse(host, out var error) ?? throw new ArgumentException(error, nameof(host));
        _http = new HttpClient(Endpoint.CreateHandler()) { BaseAddress = Endpoint.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _logger = logger;
    }

    /// <summary>Where the engine listens.</summary>
    public EngineEndpoint Endpoint { get; }

    /// <summary>Pings the engine and reads its version.</summary>
    /// <exception cref="EngineException">The engine cannot be reached or does not answer as an engine.</exception>
    public async Task<EngineVersion> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        using (var ping = await SendAsync(HttpMethod.Get, "_ping", null, "pinging the engine", cancellationToken))
        {
            await EnsureSuccessAsync(ping, "pinging the engine", cancellationToken);
        }

        using var response = await SendAsync(HttpMethod.Get, "version", null, "reading the engine version", cancellationToken);
        await EnsureSuccessAsync(response, "reading the engine version", cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        try
        {
            return EngineJson.ParseVersion(body);
        }
        catch (JsonException ex)
        {
            throw new EngineException($"the engine at {Endpoint.Display} answered /version with something other than JSON ({ex.Message})", ex);
        }
    }

    /// <summary>Whether the engine holds an image named (or with the ID) <paramref name="image"/>.</summary>
    /// <exception cref="EngineException">The engine cannot be reached or refused the request.</exception>
    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"images/{image}/json", null, $"inspecting image {image}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, $"inspecting image {image}", cancellationToken);
        return true;
    }

    /// <summary>Loads the <c>docker save</c> archive that <paramref name="writeArchive"/> writes (streamed, not buffered).</summary>
    /// <exception cref="EngineException">The engine refused the archive.</exception>
    public async Task LoadImageAsync(Func<Stream, CancellationToken, Task> writeArchive, CancellationToken cancellationToken = default)
    {
        const string operation = "loading an image archive";
        using var response = await SendAsync(HttpMethod.Post, "images/load?quiet=1", new WriterContent(writeArchive, "application/x-tar"), operation, cancellationToken);
        await EnsureSuccessAsync(response, operation, cancellationToken);

        // dockerd reports a bad archive inside a 200 stream; podman answers with one JSON document.
        await foreach (var message in ReadMessagesAsync(response, cancellationToken))
        {
            if (message.Error is { } error)
            {
                throw new EngineException($"the engine at {Endpoint.Display} could not load the image archive: {error.TrimEnd()}");
            }

            _logger?.LogDebug("engine: {Line}", message.Stream?.TrimEnd());
        }
    }

    /// <summary>Writes image <paramref name="image"/> as a <c>docker save</c> archive to <paramref name="destination"/>.</summary>
    /// <exception cref="EngineException">The engine does not have the image or refused.</exception>
    public async Task SaveImageAsync(string image, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var operation = $"saving image {image}";
        using var response = await SendAsync(HttpMethod.Get, $"images/{image}/get", null, operation, cancellationToken);
        await EnsureSuccessAsync(response, operation, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>Removes <paramref name="image"/> (its tag; the layers when nothing else uses them); absent is fine.</summary>
    /// <exception cref="EngineException">The engine refused.</exception>
    public async Task RemoveImageAsync(string image, CancellationToken cancellationToken = default)
    {
        var operation = $"removing image {image}";
        using var response = await SendAsync(HttpMethod.Delete, $"images/{image}?force=1", null, operation, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureSuccessAsync(response, operation, cancellationToken);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string operation, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex) when (content is WriterContent { WriteFailure: { } failure })
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            throw new UnreachableException(ex.Message);
        }
        catch (HttpRequestException ex)
        {
            throw new EngineException($"{operation}: cannot reach the container engine at {Endpoint.Display} ({ex.InnerException?.Message ?? ex.Message})", ex);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        throw new EngineException($"{operation}: the engine at {Endpoint.Display} answered {(int)response.StatusCode}: {await ErrorTextAsync(response, cancellationToken)}")
        {
            StatusCode = (int)response.StatusCode,
        };
    }

    private static async Task<string> ErrorTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        if (EngineJson.ErrorMessage(text) is { Length: > 0 } message)
        {
            return message.TrimEnd();
        }

        return text.Length > 500 ? text[..500] + "…" : text;
    }

    private static async IAsyncEnumerable<EngineMessage> ReadMessagesAsync(HttpResponseMessage response, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            EngineMessage? message;
            try
            {
                message = EngineJson.ParseMessage(line);
            }
            catch (JsonException)
            {
                // Not every engine answers with JSON lines everywhere; plain text is output too.
                message = new EngineMessage { Stream = line + "\n" };
            }

            if (message is not null)
            {
                yield return message;
            }
        }
    }
}
