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

    /// <summary>
    /// Waiting to be retried. KMM's operator sets it in the cluster when it requeues a module's verification (a build
    /// or sign pod still running, an error it retries); this tool never produces it: it runs each stage to its end in
    /// one pass and reports <see cref="Done"/>. Kept because it is one of the CRD's values.
    /// </summary>
    Requeued,

    /// <summary>The verdict is final.</summary>
    Done,
}
