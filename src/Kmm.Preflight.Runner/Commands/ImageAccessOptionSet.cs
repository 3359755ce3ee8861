using System.CommandLine;
using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>
/// The options shared by every command that reads images (<c>--platform</c>, <c>--auth-file</c>,
/// <c>--insecure-registry</c>, <c>--ca-file</c>), defined once and bound to <see cref="ImageAccessOptions"/>.
/// </summary>
internal sealed class ImageAccessOptionSet
{
    private readonly Option<bool> _verbose;

    /// <summary>Creates the options; <paramref name="verbose"/> is the root's recursive <c>--verbose</c>.</summary>
    public ImageAccessOptionSet(Option<bool> verbose)
    {
        _verbose = verbose;
        Insecure.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length == 0 || token.Value.Contains('/', StringComparison.Ordinal))
                {
                    result.AddError($"--insecure-registry '{token.Value}': write HOST or HOST:PORT, without a scheme or path.");
                }
            }
        });
    }

    /// <summary><c>--platform OS/ARCH[/VARIANT]</c>, default linux/amd64.</summary>
    public Option<Platform> Platform { get; } = new("--platform")
    {
        Description = "Platform to choose from a multi-platform image.",
        HelpName = "OS/ARCH[/VARIANT]",
        DefaultValueFactory = _ => Oci.Manifests.Platform.Default,
        CustomParser = ParsePlatform,
    };

    /// <summary><c>--auth-file FILE</c>.</summary>
    public Option<FileInfo> AuthFile { get; } = new Option<FileInfo>("--auth-file", "--authfile")
    {
        Description = "Registry credentials in docker/podman auth format (default: $REGISTRY_AUTH_FILE, "
            + "$DOCKER_CONFIG/config.json, ~/.docker/config.json, $XDG_RUNTIME_DIR/containers/auth.json).",
        HelpName = "FILE",
    }.AcceptExistingOnly();

    /// <summary><c>--insecure-registry HOST[:PORT]</c>, repeatable.</summary>
    public Option<string[]> Insecure { get; } = new("--insecure-registry")
    {
        Description = "Reach this registry over plain HTTP (repeatable).",
        HelpName = "HOST[:PORT]",
        DefaultValueFactory = _ => [],
    };

    /// <summary><c>--ca-file PEM</c>, repeatable.</summary>
    public Option<FileInfo[]> CaFiles { get; } = new Option<FileInfo[]>("--ca-file")
    {
        Description = "Also trust the PEM CA certificates in this file (repeatable).",
        HelpName = "PEM",
        DefaultValueFactory = _ => [],
    }.AcceptExistingOnly();

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(Platform);
        command.Add(AuthFile);
        command.Add(Insecure);
        command.Add(CaFiles);
    }

    /// <summary>Reads the options' values.</summary>
    public ImageAccessOptions Bind(ParseResult parseResult) => new(
        parseResult.GetValue(Platform) ?? Oci.Manifests.Platform.Default,
        parseResult.GetValue(AuthFile)?.FullName,
        parseResult.GetValue(Insecure) ?? [],
        [.. (parseResult.GetValue(CaFiles) ?? []).Select(f => f.FullName)],
        parseResult.GetValue(_verbose));

    private static Platform ParsePlatform(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[^1].Value;
        try
        {
            return Oci.Manifests.Platform.Parse(text);
        }
        catch (FormatException e)
        {
            result.AddError($"--platform '{text}': {e.Message}");
            return Oci.Manifests.Platform.Default;
        }
    }
}
