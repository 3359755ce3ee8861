using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.ScanChild;

/// <summary>
/// With <c>KMM_SCAN_TRACE=1</c>, the library's debug messages on stderr, stamped with milliseconds since the process
/// started: where a measured run spends its time (requests, layers), without a profiler.
/// </summary>
internal sealed class TraceLogger : ILogger
{
    private static readonly DateTime Started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>The logger when tracing is asked for, else null.</summary>
    public static ILogger? FromEnvironment() => Environment.GetEnvironmentVariable("KMM_SCAN_TRACE") == "1" ? new TraceLogger() : null;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var at = (DateTime.UtcNow - Started).TotalMilliseconds;
        Console.Error.WriteLine($"{at,8:F2} ms [{Environment.CurrentManagedThreadId,2}] {formatter(state, exception)}");
    }
}
