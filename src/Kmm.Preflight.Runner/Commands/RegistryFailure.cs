namespace Kmm.Preflight.Runner.Commands;

/// <summary>Describes the registry client's typed errors.</summary>
internal static class RegistryFailure
{
    /// <summary>A description of <paramref name="exception"/> when it is a registry error, else null.</summary>
    public static FailureDescription? TryDescribe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        // Wired to the registry client's RegistryException once it is merged; until then nothing is recognised here.
        return null;
    }
}
