using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Logging for the runner: stderr only (stdout carries results), warnings unless verbose.</summary>
internal static class RunnerLogging
{
    /// <summary>Creates the logger factory writing to <paramref name="error"/>.</summary>
    public static ILoggerFactory CreateFactory(TextWriter error, bool verbose) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning)
        .AddProvider(new TextWriterLoggerProvider(error)));
}
