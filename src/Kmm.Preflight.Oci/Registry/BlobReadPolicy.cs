namespace Kmm.Preflight.Oci.Registry;

/// <summary>How a <see cref="BlobStream"/> reacts to dropped, stalled and drip-fed connections.</summary>
/// <param name="MaxResumes">Reconnections with <c>Range</c> allowed, whatever the cause.</param>
/// <param name="ReadTimeout">A read that gets nothing for this long counts as a dropped connection.</param>
/// <param name="MinBytesPerSecond">The throughput floor; 0 for none.</param>
/// <param name="SlowWindow">How much waiting the floor is judged over.</param>
/// <param name="MaxSlowAttempts">Attempts below the floor before the blob fails (the first ones resume).</param>
internal sealed record BlobReadPolicy(int MaxResumes, TimeSpan ReadTimeout, long MinBytesPerSecond, TimeSpan SlowWindow, int MaxSlowAttempts)
{
    /// <summary>The policy <paramref name="options"/> describe.</summary>
    public static BlobReadPolicy From(RegistryClientOptions options) => new(
        options.MaxBlobResumes,
        options.AttemptTimeout,
        options.MinBlobBytesPerSecond,
        options.BlobSpeedWindow,
        options.MaxSlowBlobAttempts);
}
