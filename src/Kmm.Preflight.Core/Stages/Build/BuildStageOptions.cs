namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>Options of the Build stage (see <see cref="BuildStageBuilderExtensions.AddBuildStage"/>).</summary>
public sealed record BuildStageOptions
{
    /// <summary>The default engine address when neither <see cref="EngineHost"/> nor <c>DOCKER_HOST</c> is set.</summary>
    public static readonly Uri DefaultEngineHost = new("unix:///var/run/docker.sock");

    /// <summary>How long one build may take (loading base images, building, reading the result back).</summary>
    /// <value>Default 30 minutes.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The container engine's Docker-compatible API: dockerd or <c>podman system service</c>, as <c>unix:///path</c>,
    /// <c>tcp://host:port</c> or <c>http(s)://host:port</c>.
    /// </summary>
    /// <value>Default null: <c>DOCKER_HOST</c>, else <see cref="DefaultEngineHost"/>.</value>
    public Uri? EngineHost { get; init; }

    /// <summary>The network <c>RUN</c> steps get, as the engine names it (<c>none</c>, <c>host</c>, <c>default</c>…).</summary>
    /// <value>Default <c>none</c>: builds reach nothing, as base images are loaded beforehand.</value>
    public string Network { get; init; } = "none";

    /// <summary>Whether the engine may reuse its build cache; off, every build runs every step, as KMM's in-cluster builds do.</summary>
    /// <value>Default false.</value>
    public bool UseBuildCache { get; init; }

    /// <summary>Build output as it comes, line by line (for a terminal); null for none. Every line also goes to the logger.</summary>
    public IProgress<BuildOutputLine>? Output { get; init; }

    /// <summary>Where built images are saved from the engine while they are checked and pushed.</summary>
    /// <value>Default null: the system's temporary directory.</value>
    public string? WorkDirectory { get; init; }

    /// <summary>The engine address these options mean: <see cref="EngineHost"/>, else <c>DOCKER_HOST</c>, else <see cref="DefaultEngineHost"/>.</summary>
    /// <exception cref="UriFormatException"><c>DOCKER_HOST</c> is not a URI.</exception>
    public Uri ResolveEngineHost()
        => EngineHost ?? (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? new Uri(host) : DefaultEngineHost);
}
