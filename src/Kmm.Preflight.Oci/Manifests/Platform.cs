namespace Kmm.Preflight.Oci.Manifests;

/// <summary>An image platform: <c>os/architecture[/variant]</c>, normalised as the container tools do.</summary>
/// <param name="Os">Operating system, e.g. <c>linux</c>.</param>
/// <param name="Architecture">CPU architecture in Go's naming, e.g. <c>amd64</c>, <c>arm64</c>.</param>
/// <param name="Variant">CPU variant, e.g. <c>v8</c>; null when unspecified.</param>
public sealed record Platform(string Os, string Architecture, string? Variant = null)
{
    /// <summary>The default platform, <c>linux/amd64</c>.</summary>
    public static Platform Default { get; } = new("linux", "amd64");

    /// <summary>Parses <c>os/arch[/variant]</c>, normalising aliases (<c>x86_64</c> → <c>amd64</c>, <c>aarch64</c> → <c>arm64</c>).</summary>
    /// <exception cref="FormatException">The text is not of the form <c>os/arch[/variant]</c>.</exception>
    public static Platform Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new FormatException($"'{text}' is not a platform: expected OS/ARCH or OS/ARCH/VARIANT, e.g. linux/amd64.");
        }

        return Normalise(parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
    }

    /// <summary>
    /// Builds a normalised platform from its parts: architecture aliases become Go's names; a declared variant is
    /// kept (<c>linux/arm64/v8</c> stays so in messages and listings; <see cref="IsSatisfiedBy"/> treats it as <c>linux/arm64</c>).
    /// </summary>
    public static Platform Normalise(string os, string architecture, string? variant)
    {
        os = os.ToLowerInvariant();
        architecture = architecture.ToLowerInvariant();
        variant = string.IsNullOrEmpty(variant) ? null : variant.ToLowerInvariant();
        switch (architecture)
        {
            case "x86_64" or "x86-64":
                architecture = "amd64";
                break;
            case "aarch64":
                architecture = "arm64";
                if (variant == "8")
                {
                    variant = "v8";
                }

                break;
            case "armhf":
                architecture = "arm";
                variant = "v7";
                break;
            case "armel":
                architecture = "arm";
                variant = "v6";
                break;
            case "i386" or "i686":
                architecture = "386";
                break;
        }

        return new Platform(os, architecture, variant);
    }

    /// <summary>
    /// Whether an index entry for <paramref name="candidate"/> satisfies this requested platform.
    /// A request without a variant accepts any variant; a request with one needs the same variant, except that an
    /// arm64 entry without a variant is v8 (arm64 is always v8 or later; tools write it either way).
    /// </summary>
    public bool IsSatisfiedBy(Platform candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var normalised = Normalise(candidate.Os, candidate.Architecture, candidate.Variant);
        var wanted = Normalise(Os, Architecture, Variant);
        return normalised.Os == wanted.Os && normalised.Architecture == wanted.Architecture
            && (wanted.Variant is null || ImpliedVariant(normalised) == ImpliedVariant(wanted));
    }

    private static string? ImpliedVariant(Platform platform) => platform is { Architecture: "arm64", Variant: null } ? "v8" : platform.Variant;

    /// <inheritdoc />
    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
