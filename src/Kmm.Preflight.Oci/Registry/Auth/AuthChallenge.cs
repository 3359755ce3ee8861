using System.Text;

namespace Kmm.Preflight.Oci.Registry.Auth;

/// <summary>A parsed <c>WWW-Authenticate</c> challenge: <c>Basic realm="…"</c> or <c>Bearer realm="…",service="…",scope="…"</c>.</summary>
/// <param name="Scheme">The scheme, lowercased (<c>basic</c>, <c>bearer</c>).</param>
/// <param name="Parameters">The auth parameters, keys lowercased.</param>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>Whether this is a Bearer (token) challenge.</summary>
    public bool IsBearer => Scheme == "bearer";

    /// <summary>Whether this is a Basic challenge.</summary>
    public bool IsBasic => Scheme == "basic";

    /// <summary>The token realm URL text, or null.</summary>
    public string? Realm => Parameters.GetValueOrDefault("realm");

    /// <summary>The token service, or null.</summary>
    public string? Service => Parameters.GetValueOrDefault("service");

    /// <summary>The scopes the challenge names (space-separated in the header); empty when none.</summary>
    public IReadOnlyList<string> Scopes => Parameters.TryGetValue("scope", out var scope) ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];

    /// <summary>Parses the first Basic or Bearer challenge among <paramref name="headerValues"/>; null when none.</summary>
    public static AuthChallenge? Parse(IEnumerable<string> headerValues)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        foreach (var value in headerValues)
        {
            var challenge = Parse(value);
            if (challenge is { IsBasic: true } or { IsBearer: true })
            {
                return challenge;
            }
        }

        return null;
    }

    /// <summary>Parses one header value; null when it is empty or has no scheme.</summary>
    public static AuthChallenge? Parse(string? headerValue)
    {
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            return null;
        }

        var text = headerValue.Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var scheme = (space < 0 ? text : text[..space]).ToLowerInvariant();
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var position = space < 0 ? text.Length : space + 1;
        while (position < text.Length)
        {
            while (position < text.Length && (text[position] == ',' || char.IsWhiteSpace(text[position])))
            {
                position++;
            }

            var equals = text.IndexOf('=', position);
            if (equals < 0)
            {
                break;
            }

            var key = text[position..equals].Trim().ToLowerInvariant();
            position = equals + 1;
            string value;
            if (position < text.Length && text[position] == '"')
            {
                var builder = new StringBuilder();
                position++;
                while (position < text.Length && text[position] != '"')
                {
                    if (text[position] == '\\' && position + 1 < text.Length)
                    {
                        position++;
                    }

                    builder.Append(text[position++]);
                }

                position++;
                value = builder.ToString();
            }
            else
            {
                var comma = text.IndexOf(',', position);
                var end = comma < 0 ? text.Length : comma;
                value = text[position..end].Trim();
                position = end;
            }

            if (key.Length > 0)
            {
                parameters[key] = value;
            }
        }

        return new AuthChallenge(scheme, parameters);
    }
}
