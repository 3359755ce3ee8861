using System.Globalization;
using System.Text.RegularExpressions;
using Kmm.Preflight.Oci.References;

namespace Kmm.Preflight.Testing.Registry;

/// <summary>
/// The blob GETs a <see cref="RegistryProcess"/> served, counted from its log (docker-registry logs one
/// <c>response completed</c> line a request, with method, URI, status and bytes written), so a test can prove how
/// often each layer was downloaded.
/// </summary>
public static partial class RegistryBlobReads
{
    /// <summary>GET requests per blob digest in <paramref name="logLines"/> (any status), and the bytes each wrote in total.</summary>
    public static IReadOnlyDictionary<Digest, (int Gets, long Bytes)> Count(IEnumerable<string> logLines)
    {
        ArgumentNullException.ThrowIfNull(logLines);
        var counts = new Dictionary<Digest, (int Gets, long Bytes)>();
        foreach (var line in logLines)
        {
            var match = BlobGet().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var digest = Digest.Parse(match.Groups["digest"].Value);
            var written = WrittenBytes().Match(line) is { Success: true } w ? long.Parse(w.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var (gets, bytes) = counts.GetValueOrDefault(digest);
            counts[digest] = (gets + 1, bytes + written);
        }

        return counts;
    }

    /// <summary>
    /// The blob GETs <paramref name="registry"/> logged after <paramref name="mark"/> (take <see cref="RegistryProcess.LogMark"/>
    /// before the run), once its log has been quiet for a moment, so requests answered just before are counted too.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Digest, (int Gets, long Bytes)>> SinceAsync(RegistryProcess registry, long mark)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await registry.WaitForQuietLogAsync(TimeSpan.FromMilliseconds(300));
        return Count(registry.LogSince(mark));
    }

    [GeneratedRegex(@"msg=""response completed"".*http\.request\.method=GET .*http\.request\.uri=""/v2/[^""]*/blobs/(?<digest>sha256:[0-9a-f]{64})""")]
    private static partial Regex BlobGet();

    [GeneratedRegex(@"http\.response\.written=(\d+)")]
    private static partial Regex WrittenBytes();
}
