using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Runner.Output;

/// <summary>
/// Writes log lines to the command's stderr writer (not the process's), so logs stay off stdout and tests that
/// capture stderr see them too.
/// </summary>
internal sealed class TextWriterLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _writer;
    private readonly Lock _gate = new();

    /// <summary>Creates the provider writing to <paramref name="writer"/>.</summary>
    public TextWriterLoggerProvider(TextWriter writer)
    {
        _writer = writer;
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    private sealed class Logger(TextWriterLoggerProvider provider, string category) : ILogger
    {
        private readonly string _shortCategory = category[(category.LastIndexOf('.') + 1)..];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var level = logLevel switch
            {
                LogLevel.Trace => "trce",
                LogLevel.Debug => "dbug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "fail",
                _ => "crit",
            };
            var message = formatter(state, exception);
            provider.Write(exception is null ? $"{level}: {_shortCategory}: {message}" : $"{level}: {_shortCategory}: {message}: {exception.Message}");
        }
    }
}
