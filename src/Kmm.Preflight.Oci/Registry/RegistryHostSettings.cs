namespace Kmm.Preflight.Oci.Registry;

/// <summary>Connection settings for one registry, as KMM's <c>registryTLS</c> expresses them.</summary>
/// <param name="Insecure">Use plain HTTP.</param>
/// <param name="InsecureSkipTlsVerify">Use HTTPS but do not verify the server certificate.</param>
public sealed record RegistryHostSettings(bool Insecure = false, bool InsecureSkipTlsVerify = false);
