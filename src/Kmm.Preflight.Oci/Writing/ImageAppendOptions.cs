namespace Kmm.Preflight.Oci.Writing;

/// <summary>Options for <see cref="ImageAppender.AppendAsync"/>.</summary>
public sealed record ImageAppendOptions
{
    /// <summary>The <c>created</c> time of the new history entries.</summary>
    /// <value>Default null: now, from <see cref="TimeProvider"/>.</value>
    public DateTimeOffset? Created { get; init; }

    /// <summary>The clock for <see cref="Created"/> when it is not given.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Annotations of the new manifest (OCI images only; the base manifest's own annotations describe the base and are not copied).</summary>
    /// <value>Default empty.</value>
    public IReadOnlyDictionary<string, string> ManifestAnnotations { get; init; } = new Dictionary<string, string>();

    /// <summary>The new image's <see cref="Sources.ResolvedImage.Name"/>, for messages.</summary>
    /// <value>Default null: the base's name with <c>+ N layer(s)</c>.</value>
    public string? Name { get; init; }
}
