using System.Globalization;
using System.Web;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>
/// When a signed storage URL (S3 <c>X-Amz-Date</c> + <c>X-Amz-Expires</c>, GCS <c>X-Goog-Date</c> +
/// <c>X-Goog-Expires</c>, CloudFront <c>Expires</c>) stops working, read from its query; null when it does not say.
/// </summary>
internal static class SignedUrlExpiry
{
    /// <summary>The expiry time <paramref name="uri"/> carries, or null.</summary>
    public static DateTimeOffset? From(Uri uri)
    {
        var query = HttpUtility.ParseQueryString(uri.Query);
        foreach (var vendor in new[] { "X-Amz", "X-Goog" })
        {
            if (DateTimeOffset.TryParseExact(query[$"{vendor}-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signed)
                && long.TryParse(query[$"{vendor}-Expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return signed.AddSeconds(seconds);
            }
        }

        return long.TryParse(query["Expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) && epoch < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : null;
    }
}
