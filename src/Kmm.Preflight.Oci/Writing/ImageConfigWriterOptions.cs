namespace Kmm.Preflight.Oci.Writing;

/// <summary>What <see cref="ImageConfigWriter.Write"/> puts in a new config besides platform and layers.</summary>
public sealed record ImageConfigWriterOptions
{
    /// <summary>The image's <c>created</c> time, also used for the history entries.</summary>
    /// <value>Default null: no <c>created</c> field (reproducible).</value>
    public DateTimeOffset? Created { get; init; }

    /// <summary><c>config.Labels</c>.</summary>
    /// <value>Default empty.</value>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>created_by</c> of the history entry written for each layer; null writes no history.</summary>
    /// <value>Default null.</value>
    public string? CreatedBy { get; init; }
}
