namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>
/// Finds auth files the way container tools do when none is given: <c>$REGISTRY_AUTH_FILE</c>,
/// <c>$DOCKER_CONFIG/config.json</c>, <c>~/.docker/config.json</c>, <c>$XDG_RUNTIME_DIR/containers/auth.json</c>.
/// </summary>
public static class AuthFileDiscovery
{
    /// <summary>The candidate paths, in order, whether or not they exist.</summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable; default <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <param name="homeDirectory">The home directory; default the user profile.</param>
    public static IReadOnlyList<string> Candidates(Func<string, string?>? getEnvironmentVariable = null, string? homeDirectory = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        homeDirectory ??= getEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var paths = new List<string>();
        if (getEnvironmentVariable("REGISTRY_AUTH_FILE") is { Length: > 0 } authFile)
        {
            paths.Add(authFile);
        }

        if (getEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } dockerConfig)
        {
            paths.Add(Path.Combine(dockerConfig, "config.json"));
        }

        if (!string.IsNullOrEmpty(homeDirectory))
        {
            paths.Add(Path.Combine(homeDirectory, ".docker", "config.json"));
        }

        if (getEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
        {
            paths.Add(Path.Combine(runtime, "containers", "auth.json"));
        }

        return paths;
    }

    /// <summary>The existing candidate files, in order.</summary>
    public static IReadOnlyList<string> Find(Func<string, string?>? getEnvironmentVariable = null, string? homeDirectory = null) =>
        Candidates(getEnvironmentVariable, homeDirectory).Where(File.Exists).Distinct().ToList();

    /// <summary>
    /// A provider over the given auth file, or, when <paramref name="authFile"/> is null, over every discovered file
    /// (the earlier file wins for a registry both name). Returns an empty chain when there is none.
    /// </summary>
    /// <exception cref="FileNotFoundException"><paramref name="authFile"/> was given but does not exist.</exception>
    /// <exception cref="InvalidDataException">An auth file is malformed.</exception>
    public static ICredentialProvider CreateProvider(string? authFile = null, Func<string, string?>? getEnvironmentVariable = null, string? homeDirectory = null)
    {
        if (authFile is not null)
        {
            return DockerConfigCredentialProvider.FromFile(authFile);
        }

        return new ChainedCredentialProvider(Find(getEnvironmentVariable, homeDirectory).Select(DockerConfigCredentialProvider.FromFile).ToList());
    }
}
