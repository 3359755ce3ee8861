using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Runner.Commands;

/// <summary>How to reach images: the options <c>inspect</c>, <c>ls</c>, <c>cat</c> and <c>validate</c> share.</summary>
/// <param name="Platform">The platform chosen from an index.</param>
/// <param name="AuthFile">A docker/podman auth file; null to discover the usual ones.</param>
/// <param name="InsecureRegistries">Registries (<c>host[:port]</c>) reached over plain HTTP.</param>
/// <param name="CaFiles">Extra PEM CA files to trust.</param>
/// <param name="Verbose">Whether errors show details and the library logs at debug level.</param>
/// <param name="Cache">The persistent layer index cache; null for none (in memory for the run only).</param>
internal sealed record ImageAccessOptions(
    Platform Platform,
    string? AuthFile,
    IReadOnlyList<string> InsecureRegistries,
    IReadOnlyList<string> CaFiles,
    bool Verbose,
    LayerCacheSettings? Cache = null);
