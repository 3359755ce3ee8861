namespace Kmm.Preflight.Oci.Writing;

/// <summary>The owner, permissions and time of one layer entry; what is left null takes the writer's defaults.</summary>
public sealed record LayerEntryMetadata
{
    /// <summary>Permission bits (and set-id/sticky bits).</summary>
    /// <value>Default null: 0644 for files, 0755 for directories, 0777 for symbolic links.</value>
    public UnixFileMode? Mode { get; init; }

    /// <summary>Owner user id.</summary>
    /// <value>Default 0 (root).</value>
    public long Uid { get; init; }

    /// <summary>Owner group id.</summary>
    /// <value>Default 0 (root).</value>
    public long Gid { get; init; }

    /// <summary>Modification time, whole seconds (fractions are dropped so output is reproducible).</summary>
    /// <value>Default null: <see cref="LayerWriterOptions.ModificationTime"/>.</value>
    public DateTimeOffset? ModificationTime { get; init; }
}
