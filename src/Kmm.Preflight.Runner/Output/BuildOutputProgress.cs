using Kmm.Preflight.Core.Stages.Build;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Shows build output on stderr (a terminal) as it comes, each line prefixed with its module, as <c>docker build</c> would.</summary>
internal sealed class BuildOutputProgress : IProgress<BuildOutputLine>
{
    private readonly TextWriter _error;
    private readonly Lock _gate = new();

    /// <summary>Creates the reporter writing to <paramref name="error"/>.</summary>
    public BuildOutputProgress(TextWriter error)
    {
        _error = error;
    }

    /// <inheritdoc />
    public void Report(BuildOutputLine value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            // Clears a layer progress line first, so the reporters share stderr cleanly.
            _error.WriteLine($"\r\u001b[K{value.Module} | {value.Line}");
        }
    }
}
