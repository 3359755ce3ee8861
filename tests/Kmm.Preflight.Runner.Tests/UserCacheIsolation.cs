namespace Kmm.Preflight.Runner.Tests;

/// <summary>
/// Commands persist layer indexes under <c>$XDG_CACHE_HOME/kmm-preflight</c> by default: the tests point it at a
/// directory of their own (in-process runs and child processes alike), never at the user's cache.
/// </summary>
[SetUpFixture]
public sealed class UserCacheIsolation
{
    private string? _previous;
    private string _directory = null!;

    [OneTimeSetUp]
    public void UseTemporaryCacheHome()
    {
        _previous = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        _directory = Directory.CreateTempSubdirectory("kmm-runner-cache-home-").FullName;
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", _directory);
    }

    [OneTimeTearDown]
    public void Restore()
    {
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", _previous);
        Directory.Delete(_directory, recursive: true);
    }
}
