namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>Builds token scopes (<c>repository:NAME:pull[,push]</c>).</summary>
internal static class TokenScope
{
    /// <summary>Pull access to <paramref name="repository"/>.</summary>
    public static string Pull(string repository) => $"repository:{repository}:pull";

    /// <summary>Pull and push access to <paramref name="repository"/>.</summary>
    public static string PullPush(string repository) => $"repository:{repository}:pull,push";

    /// <summary>
    /// The scopes to ask for: those a challenge names first (some registries read only the first), then the
    /// request's own, without duplicates.
    /// </summary>
    public static IReadOnlyList<string> Merge(IReadOnlyList<string> challenged, IReadOnlyList<string> requested) =>
        challenged.Concat(requested).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The cache key of a scope set.</summary>
    public static string Key(IEnumerable<string> scopes) => string.Join(' ', scopes.Order(StringComparer.Ordinal));
}
