namespace Kmm.Preflight.Oci.Writing;

/// <summary>What pushing one blob took.</summary>
public enum BlobPushOutcome
{
    /// <summary>The target repository already had it (HEAD): nothing sent.</summary>
    AlreadyPresent,

    /// <summary>Mounted from another repository of the same registry: nothing sent.</summary>
    Mounted,

    /// <summary>Uploaded (streamed from the layer's source).</summary>
    Uploaded,

    /// <summary>A foreign (non-distributable) layer with URLs: not pushed, as registries expect.</summary>
    Foreign,
}
