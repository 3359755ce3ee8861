namespace Kmm.Preflight.Core.Engine;

/// <content>The build call.</content>
internal sealed partial class EngineClient
{
    /// <summary>
    /// Builds the context that <paramref name="writeContext"/> writes (a tar with the Dockerfile at <c>Dockerfile</c>),
    /// handing each output line to <paramref name="output"/>. A failed build is a result, not an exception.
    /// </summary>
    /// <exception cref="EngineException">The engine cannot be reached.</exception>
    public async Task<EngineBuildResult> BuildAsync(EngineBuildRequest request, Func<Stream, CancellationToken, Task> writeContext, Action<string> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new List<string>
        {
            "dockerfile=Dockerfile",
            "t=" + Uri.EscapeDataString(request.Tag),
            "rm=1",
            "forcerm=1",
            "buildargs=" + Uri.EscapeDataString(EngineJson.BuildArgs(request.BuildArgs)),
        };
        if (request.NetworkMode is { } network)
        {
            query.Add("networkmode=" + Uri.EscapeDataString(network));
        }

        if (request.NoCache)
        {
            query.Add("nocache=1");
        }

        if (request.BuildKit)
        {
            query.Add("version=2");
        }

        var operation = $"building {request.Tag}";
        using var response = await SendAsync(HttpMethod.Post, "build?" + string.Join('&', query), new WriterContent(writeContext, "application/x-tar"), operation, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // A Dockerfile the engine cannot parse is refused before the stream starts: a failed build all the same.
            return new EngineBuildResult { Failure = new EngineBuildFailure { Message = await ErrorTextAsync(response, cancellationToken) } };
        }

        var reader = new BuildStreamReader(output);
        await foreach (var message in ReadMessagesAsync(response, cancellationToken))
        {
            reader.Read(message);
        }

        return reader.Finish();
    }
}
