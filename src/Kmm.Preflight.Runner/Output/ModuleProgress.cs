using Kmm.Preflight.Core.Status;

namespace Kmm.Preflight.Runner.Output;

/// <summary>Shows on stderr (a terminal) each module's stage as validation moves on, one line a change.</summary>
internal sealed class ModuleProgress : IProgress<ModuleStatus>
{
    private readonly TextWriter _error;
    private readonly Lock _gate = new();

    /// <summary>Creates the reporter writing to <paramref name="error"/>.</summary>
    public ModuleProgress(TextWriter error)
    {
        _error = error;
    }

    /// <inheritdoc />
    public void Report(ModuleStatus value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            // Clears a layer progress line first, so the two reporters share stderr cleanly.
            _error.WriteLine($"\r\u001b[K{value.Namespace}/{value.Name}: {value.VerificationStageText} {(value.Verified ? "verified" : string.Empty)}".TrimEnd());
        }
    }
}
