namespace Kmm.Preflight.Testing.Registry;

/// <summary>One request received by a <see cref="LoopbackHttpServer"/>.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Target">Request target as sent (path and query).</param>
/// <param name="Headers">Headers; names compared case-insensitively; a repeated header keeps the last value.</param>
/// <param name="Body">The request body.</param>
public sealed record LoopbackHttpRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The path without the query.</summary>
    public string Path => Target.Split('?', 2)[0];

    /// <summary>The decoded query parameters, in order; a name may repeat (e.g. several <c>scope</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query => ParseForm(Target.Contains('?', StringComparison.Ordinal) ? Target.Split('?', 2)[1] : string.Empty);

    /// <summary>Parses <c>application/x-www-form-urlencoded</c> text.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseForm(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(Decode(p[0]), p.Length > 1 ? Decode(p[1]) : string.Empty))
            .ToList();
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
