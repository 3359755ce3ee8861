using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Mapping;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry.Auth;
using Kmm.Preflight.Oci.Sources;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Stages;

/// <summary>Everything a stage needs to validate one module for one kernel.</summary>
public sealed record StageContext
{
    /// <summary>The resolved kernel mapping.</summary>
    public required ResolvedMapping Mapping { get; init; }

    /// <summary>The driver-toolkit image, when known (the <c>DTK_AUTO</c> build argument).</summary>
    public string? DtkImage { get; init; }

    /// <summary>Whether built or signed images are pushed.</summary>
    public bool PushBuiltImage { get; init; }

    /// <summary>The platform to check.</summary>
    public required Platform Platform { get; init; }

    /// <summary>Opens images.</summary>
    public required IImageOpener Images { get; init; }

    /// <summary>The Module's pull-secret credentials (tried before the defaults); null for none.</summary>
    public ICredentialProvider? Credentials { get; init; }

    /// <summary>Identifies <see cref="Credentials"/> for client caching; null for none.</summary>
    public string? CredentialsKey { get; init; }

    /// <summary>The Secrets and ConfigMaps loaded with the modules.</summary>
    public ObjectSet Objects { get; init; } = ObjectSet.Empty;

    /// <summary>The image this stage works on: the mapped image for Image, the built image or <c>unsignedImage</c> for Sign.</summary>
    public string? InputImage { get; init; }

    /// <summary>
    /// The image handed on by the previous stage (the Build stage's result for Sign), when it produced one; the
    /// stage works on it instead of resolving <see cref="InputImage"/>, which then only names it.
    /// </summary>
    public ResolvedImage? Input { get; init; }

    /// <summary>
    /// The pipeline's Image stage: Build and Sign run it on what they produced, with <c>context with { Input = image }</c>,
    /// so a built or signed image must pass the same checks before anything is pushed. Null outside a pipeline.
    /// </summary>
    public IModuleValidationStage? ImageChecks { get; init; }

    /// <summary>Resolves images to handles (base images, <c>unsignedImage</c>); null when the run has none.</summary>
    public IImageResolver? Resolver { get; init; }

    /// <summary>Pushes and saves what stages produce; null when the run has none (then nothing can be pushed).</summary>
    public IImagePublisher? Publisher { get; init; }

    /// <summary>The previous stages' results, in order.</summary>
    public IReadOnlyList<StageResult> Previous { get; init; } = [];

    /// <summary>Logger; null for none.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>An image request for <paramref name="reference"/> with this module's credentials.</summary>
    public ImageRequest RequestFor(string reference, Model.RegistryTls? tls) => new()
    {
        Reference = reference,
        Platform = Platform,
        RegistryTls = tls,
        Credentials = Credentials,
        CredentialsKey = CredentialsKey,
    };
}
