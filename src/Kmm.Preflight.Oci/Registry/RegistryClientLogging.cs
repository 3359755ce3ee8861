using System.Net;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Oci.Registry;

/// <summary>Debug log messages of the client.</summary>
internal static class RegistryClientLogging
{
    /// <summary>A success status other than the one the spec prescribes.</summary>
    public static void LogDebugUnexpected(this ILogger logger, string operation, HttpStatusCode status) =>
        logger.LogDebug("{Operation}: registry answered {Status} where the spec says 201", operation, (int)status);
}
