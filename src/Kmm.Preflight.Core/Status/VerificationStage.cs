namespace Kmm.Preflight.Core.Status;

/// <summary>The CRD's <c>verificationStage</c>: where a module's verification is, <see cref="Done"/> once final.</summary>
public enum VerificationStage
{
    /// <summary>Checking the mapped image.</summary>
    Image,

    /// <summary>Building the image.</summary>
    Build,

    /// <summary>Signing the modules.</summary>
    Sign,

    /// <summary>Waiting to be retried.</summary>
    Requeued,

    /// <summary>The verdict is final.</summary>
    Done,
}
