using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>A manifest as the registry served it.</summary>
/// <param name="Content">The bytes.</param>
/// <param name="MediaType">The Content-Type the registry reported.</param>
/// <param name="Digest">The SHA-256 of <paramref name="Content"/>, computed here.</param>
public sealed record ManifestResponse(byte[] Content, string? MediaType, Digest Digest);
