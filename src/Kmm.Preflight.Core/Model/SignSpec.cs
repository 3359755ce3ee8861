namespace Kmm.Preflight.Core.Model;

/// <summary>KMM's <c>sign</c> section: how to sign the module image's files.</summary>
public sealed record SignSpec
{
    /// <summary>The image with unsigned modules; null when not set.</summary>
    public string? UnsignedImage { get; init; }

    /// <summary>TLS settings for the unsigned image's registry; null when not set.</summary>
    public RegistryTls? UnsignedImageRegistryTls { get; init; }

    /// <summary>Name of the Secret holding the private key (data key <c>key</c>); null when not set.</summary>
    public string? KeySecret { get; init; }

    /// <summary>Name of the Secret holding the certificate (data key <c>cert</c>); null when not set.</summary>
    public string? CertSecret { get; init; }

    /// <summary>Absolute paths in the image (globs allowed) of the files to sign.</summary>
    public IReadOnlyList<string> FilesToSign { get; init; } = [];
}
