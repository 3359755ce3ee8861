using System.Security.Cryptography;
using Kmm.Preflight.Oci.Threading;

namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>
/// Starts the platform's SHA-256 (OpenSSL on Linux) on a ready thread when a registry transport is created. The first
/// digest otherwise pays for loading and linking libcrypto and reading its configuration (~5-10 ms) on the critical
/// path, after the manifest has arrived; started here, it overlaps the first connection and round trips.
/// </summary>
internal static class DigestWarmUp
{
    private static int _started;

    public static void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            // Not a pool thread: blocked for milliseconds in the loader, a pool thread would hold up the first
            // responses' continuations (the pool has a thread a core to begin with). The ready threads are started
            // here, while the process waits for the network, and one of them does the warm-up.
            ReadyThreads.Prepare();
            ReadyThreads.Run(static () => SHA256.HashData(ReadOnlySpan<byte>.Empty));
        }
    }
}
