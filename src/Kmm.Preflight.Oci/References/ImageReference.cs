using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Kmm.Preflight.Oci.References;

/// <summary>
/// A parsed, normalised image reference (<c>[registry/]repository[:tag][@digest]</c>), following the rules the
/// Docker and OCI tools use: a bare name means Docker Hub and <c>library/</c>; a first component with a dot, a
/// colon or <c>localhost</c> is a registry.
/// </summary>
public sealed partial record ImageReference
{
    /// <summary>The registry name Docker Hub references normalise to.</summary>
    public const string DockerHubRegistry = "docker.io";

    /// <summary>The host that serves the Docker Hub registry API.</summary>
    public const string DockerHubApiHost = "registry-1.docker.io";

    private ImageReference(string registry, string repository, string? tag, Digest? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>Registry host, with port when given (<c>docker.io</c>, <c>127.0.0.1:5000</c>).</summary>
    public string Registry { get; }

    /// <summary>Repository path within the registry, e.g. <c>library/busybox</c>.</summary>
    public string Repository { get; }

    /// <summary>The tag; null when the reference gives only a digest. <c>latest</c> when neither was given.</summary>
    public string? Tag { get; }

    /// <summary>The digest, when the reference pins one.</summary>
    public Digest? Digest { get; }

    /// <summary>The host:port to connect to (Docker Hub's API host for <c>docker.io</c>).</summary>
    public string ApiHost => Registry == DockerHubRegistry ? DockerHubApiHost : Registry;

    /// <summary>What to ask the registry for: the digest if pinned, else the tag.</summary>
    public string ManifestReference => Digest?.ToString() ?? Tag ?? "latest";

    /// <summary>Parses and normalises a reference.</summary>
    /// <exception cref="FormatException">The reference is malformed; the message says which part and why.</exception>
    public static ImageReference Parse(string reference)
    {
        if (!TryParse(reference, out var parsed, out var error))
        {
            throw new FormatException(error);
        }

        return parsed;
    }

    /// <summary>Tries to parse a reference; <paramref name="error"/> explains a failure.</summary>
    public static bool TryParse(string? reference, [NotNullWhen(true)] out ImageReference? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(reference))
        {
            error = "image reference is empty";
            return false;
        }

        // Before any message echoes the reference: a control character would reach the user's terminal raw.
        var control = reference.AsSpan().IndexOfAnyInRange('\0', '\x1f');
        if (control < 0)
        {
            control = reference.IndexOf('\x7f', StringComparison.Ordinal);
        }

        if (control >= 0 && !char.IsWhiteSpace(reference[control]))
        {
            error = $"invalid image reference: it contains the control character U+{(int)reference[control]:X4} at position {control + 1}";
            return false;
        }

        if (reference.Length > 4096 || reference.Any(char.IsWhiteSpace))
        {
            error = $"invalid image reference '{reference}': it contains white space or is too long";
            return false;
        }

        var rest = reference;
        if (rest.StartsWith("docker://", StringComparison.Ordinal))
        {
            rest = rest["docker://".Length..];
        }

        Digest? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var digestText = rest[(at + 1)..];
            if (!rest[..at].Contains('/', StringComparison.Ordinal) && digestText.Contains('/', StringComparison.Ordinal))
            {
                // USER:PASSWORD@HOST/REPO, as in a URL: not echoed, since the part before '@' is likely a password.
                error = "invalid image reference: it has credentials before the registry name (USER[:PASSWORD]@HOST/…); give credentials with an auth file or a pull secret instead";
                return false;
            }

            if (!References.Digest.TryParse(digestText, out var d))
            {
                error = $"invalid image reference '{reference}': '{digestText}' is not a valid digest (expected sha256: and 64 lowercase hex characters)";
                return false;
            }

            digest = d;
            rest = rest[..at];
        }

        string? tag = null;
        var lastSlash = rest.LastIndexOf('/');
        var colon = rest.IndexOf(':', lastSlash + 1);
        if (colon >= 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                error = $"invalid image reference '{reference}': tag '{tag}' must be 1-128 characters of letters, digits, '_', '.', '-', not starting with '.' or '-'";
                return false;
            }
        }

        string registry;
        string repository;
        var firstSlash = rest.IndexOf('/', StringComparison.Ordinal);
        var first = firstSlash < 0 ? null : rest[..firstSlash];
        if (first is not null && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"
            || first.Any(char.IsUpper)))
        {
            registry = first;
            repository = rest[(firstSlash + 1)..];
            if (!RegistryPattern().IsMatch(registry))
            {
                error = $"invalid image reference '{reference}': registry '{registry}' is not a valid host[:port]";
                return false;
            }

            var portColon = registry.LastIndexOf(':');
            if (portColon > registry.LastIndexOf(']') && int.Parse(registry.AsSpan(portColon + 1), CultureInfo.InvariantCulture) is < 1 or > 65535)
            {
                error = $"invalid image reference '{reference}': registry '{registry}' has a port outside 1-65535";
                return false;
            }
        }
        else
        {
            registry = DockerHubRegistry;
            repository = rest;
        }

        if (registry is "index.docker.io" or "registry-1.docker.io")
        {
            registry = DockerHubRegistry;
        }

        if (registry == DockerHubRegistry && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = "library/" + repository;
        }

        if (repository.Length == 0)
        {
            error = $"invalid image reference '{reference}': repository name is empty";
            return false;
        }

        if (repository.Any(char.IsUpper))
        {
            error = $"invalid image reference '{reference}': repository name '{repository}' must be lowercase";
            return false;
        }

        if (repository.Length > 255 || !repository.Split('/').All(c => ComponentPattern().IsMatch(c)))
        {
            error = $"invalid image reference '{reference}': repository name '{repository}' must be lowercase letters, digits and separators ('.', '_', '__', '-') between '/'-separated components";
            return false;
        }

        if (tag is null && digest is null)
        {
            tag = "latest";
        }

        parsed = new ImageReference(registry, repository, tag, digest);
        error = null;
        return true;
    }

    /// <summary>The same repository with another tag (and no digest).</summary>
    public ImageReference WithTag(string tag) => Parse($"{Registry}/{Repository}:{tag}");

    /// <summary>The same repository pinned to <paramref name="digest"/> (the tag is kept for display).</summary>
    public ImageReference WithDigest(Digest digest) => new(Registry, Repository, Tag, digest);

    /// <summary>The repository alone, <c>registry/repository</c>.</summary>
    public string RepositoryName => $"{Registry}/{Repository}";

    /// <inheritdoc />
    public override string ToString()
    {
        var text = RepositoryName;
        if (Tag is not null)
        {
            text += ":" + Tag;
        }

        if (Digest is { } d)
        {
            text += "@" + d;
        }

        return text;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")]
    private static partial Regex RegistryPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")]
    private static partial Regex ComponentPattern();
}
