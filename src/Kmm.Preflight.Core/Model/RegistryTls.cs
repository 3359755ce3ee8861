namespace Kmm.Preflight.Core.Model;

/// <summary>KMM's <c>registryTLS</c>: how to connect to a registry.</summary>
/// <param name="Insecure">Use plain HTTP.</param>
/// <param name="InsecureSkipTlsVerify">Use HTTPS without verifying the server certificate.</param>
public sealed record RegistryTls(bool Insecure = false, bool InsecureSkipTlsVerify = false);
