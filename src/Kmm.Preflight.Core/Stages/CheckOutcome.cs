namespace Kmm.Preflight.Core.Stages;

/// <summary>The outcome of one check.</summary>
public enum CheckOutcome
{
    /// <summary>The check passed.</summary>
    Passed,

    /// <summary>The check failed: the module will not load.</summary>
    Failed,

    /// <summary>A fact reported for information (e.g. the signer); never a failure.</summary>
    Information,

    /// <summary>The check was not made (an earlier one failed, or it does not apply).</summary>
    Skipped,
}
