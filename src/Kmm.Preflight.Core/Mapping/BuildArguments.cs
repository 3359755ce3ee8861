using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Mapping;

/// <summary>The build arguments KMM passes to a build: the user's, not substituted, plus its own.</summary>
public static class BuildArguments
{
    /// <summary>
    /// The user's arguments followed by <c>KERNEL_VERSION</c>, <c>KERNEL_FULL_VERSION</c> (the raw kernel),
    /// <c>MOD_NAME</c>, <c>MOD_NAMESPACE</c> (which override user values of those names), and <c>DTK_AUTO</c> when
    /// <paramref name="dockerfile"/> mentions it and <paramref name="dtkImage"/> is known.
    /// </summary>
    public static IReadOnlyList<BuildArg> Compose(ResolvedMapping mapping, string? dockerfile, string? dtkImage)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var own = new List<BuildArg>
        {
            new("KERNEL_VERSION", mapping.Kernel.Full),
            new("KERNEL_FULL_VERSION", mapping.Kernel.Full),
            new("MOD_NAME", mapping.Module.Name),
            new("MOD_NAMESPACE", mapping.Module.Namespace),
        };
        if (dtkImage is not null && dockerfile is not null && dockerfile.Contains("DTK_AUTO", StringComparison.Ordinal))
        {
            own.Add(new BuildArg("DTK_AUTO", dtkImage));
        }

        var names = own.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var user = (mapping.Build?.BuildArgs ?? []).Where(a => !names.Contains(a.Name));
        return [.. user, .. own];
    }
}
