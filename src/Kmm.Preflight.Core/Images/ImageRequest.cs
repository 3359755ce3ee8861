using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Core.Images;

/// <summary>What to open: an image reference with the module's connection settings and credentials.</summary>
public sealed record ImageRequest
{
    /// <summary>The image reference (variables already expanded).</summary>
    public required string Reference { get; init; }

    /// <summary>The platform to choose from an index.</summary>
    public required Platform Platform { get; init; }

    /// <summary>TLS settings for the image's registry; null for defaults.</summary>
    public RegistryTls? RegistryTls { get; init; }

    /// <summary>Credentials tried before the default ones (e.g. the Module's <c>imageRepoSecret</c>); null for none.</summary>
    public ICredentialProvider? Credentials { get; init; }

    /// <summary>A key identifying <see cref="Credentials"/> for client caching (e.g. <c>secret:ns/name</c>); null for none.</summary>
    public string? CredentialsKey { get; init; }

    /// <summary>
    /// An image already in hand (built or signed by an earlier stage, not necessarily pushed anywhere): when set, it
    /// is opened instead of resolving <see cref="Reference"/>, which then only names it in messages.
    /// </summary>
    public ResolvedImage? Image { get; init; }
}
