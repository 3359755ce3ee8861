using System.Globalization;

namespace Kmm.Preflight.Oci.Writing;

/// <summary>Times as image configs spell them: RFC 3339 in UTC, fractions only when there are any (as Go writes them).</summary>
internal static class ConfigTime
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
