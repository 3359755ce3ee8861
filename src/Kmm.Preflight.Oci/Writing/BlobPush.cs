using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>How one blob of a pushed image got to the target.</summary>
/// <param name="Descriptor">The blob (a layer or the config).</param>
/// <param name="Outcome">What it took.</param>
/// <param name="MountedFrom">The repository it was mounted from, when <see cref="BlobPushOutcome.Mounted"/>.</param>
public sealed record BlobPush(Descriptor Descriptor, BlobPushOutcome Outcome, ImageReference? MountedFrom = null);
