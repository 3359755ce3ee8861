using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Kmm.Preflight.Oci.Registry.Transport;

/// <summary>
/// The Polly pipelines around each request: overall timeout, retry with exponential backoff and jitter (honouring
/// <c>Retry-After</c>), per-attempt timeout.
/// </summary>
internal static class ResiliencePipelines
{
    /// <summary>Builds a pipeline; <paramref name="retry"/> false leaves out retries (for bodies that cannot be replayed).</summary>
    public static ResiliencePipeline<HttpResponseMessage> Create(RegistryClientOptions options, bool retry)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider };
        builder.AddTimeout(options.OverallTimeout);
        if (retry && options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: { } e } => TransientFailure.IsTransient(e) && !args.Context.CancellationToken.IsCancellationRequested,
                    { Result: { } r } => TransientFailure.IsTransient(r.StatusCode),
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter.From(args.Outcome.Result, options.TimeProvider, options.MaxRetryAfter)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout });
        return builder.Build();
    }
}
