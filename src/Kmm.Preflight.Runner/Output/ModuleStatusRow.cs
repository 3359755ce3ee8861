namespace Kmm.Preflight.Runner.Output;

/// <summary>One entry of <c>status.modules[]</c>, as the operator writes it.</summary>
/// <param name="Name">The Module's name.</param>
/// <param name="Namespace">The Module's namespace.</param>
/// <param name="Verified">Whether the module will load (<c>verificationStatus: True</c>).</param>
/// <param name="Stage">The verification stage (<c>Image</c>, <c>Build</c>, <c>Sign</c>, <c>Requeued</c>, <c>Done</c>).</param>
/// <param name="Reason">The status reason: one sentence a person can act on.</param>
/// <param name="LastTransitionTime">When the status last changed.</param>
internal sealed record ModuleStatusRow(string Name, string Namespace, bool Verified, string Stage, string Reason, DateTimeOffset LastTransitionTime);
