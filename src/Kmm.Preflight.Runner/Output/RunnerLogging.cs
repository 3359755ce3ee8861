using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Logging for the runner: stderr only (stdout carries results), warnings unless verbose.</summary>
internal static class RunnerLogging
{
    /// <summary>Creates the logger factory.</summary>
    public static ILoggerFactory CreateFactory(bool verbose) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.IncludeScopes = false;
        })
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace));
}
