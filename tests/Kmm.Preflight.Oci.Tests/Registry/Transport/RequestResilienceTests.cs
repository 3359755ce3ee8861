using System.Net;
using System.Net.Sockets;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Registry.Transport;
using Polly.Timeout;

namespace Kmm.Preflight.Oci.Tests.Registry.Transport;

/// <summary>
/// Attempts, retries and time limits of one request, with scripted attempts (fault injection, no network): what the
/// Polly pipeline did for every request, while the pipeline itself is built only when a retry is due.
/// </summary>
public class RequestResilienceTests
{
    private static readonly RegistryClientOptions Quick = new() { RetryBaseDelay = TimeSpan.FromMilliseconds(1), MaxRetries = 3 };

    [Test]
    public async Task A_first_answer_that_is_not_transient_is_returned_without_building_the_retry_pipeline()
    {
        var resilience = new RequestResilience(Quick);
        var attempts = new Attempts(HttpStatusCode.OK);

        using var response = await resilience.ExecuteAsync(attempts.SendAsync, retry: true, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(attempts.Count, Is.EqualTo(1));
        Assert.That(resilience.RetryPipelineBuilt, Is.False);

        using var missing = await resilience.ExecuteAsync(new Attempts(HttpStatusCode.NotFound).SendAsync, retry: true, CancellationToken.None);
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a 404 is an answer, not a failure to retry");
        Assert.That(resilience.RetryPipelineBuilt, Is.False);
    }

    [Test]
    public async Task A_transient_status_is_retried_and_the_answer_it_replaced_is_disposed()
    {
        var resilience = new RequestResilience(Quick);
        var attempts = new Attempts(HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests, HttpStatusCode.OK);

        using var response = await resilience.ExecuteAsync(attempts.SendAsync, retry: true, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(attempts.Count, Is.EqualTo(3));
        Assert.That(attempts.Disposed, Is.EqualTo(new[] { true, true, false }));
        Assert.That(resilience.RetryPipelineBuilt, Is.True);
    }

    [Test]
    public async Task A_transient_network_error_is_retried_but_a_refused_connection_is_not()
    {
        var resilience = new RequestResilience(Quick);
        var dropped = new Attempts(new HttpRequestException("connection reset", new IOException("reset")), HttpStatusCode.OK);

        using var response = await resilience.ExecuteAsync(dropped.SendAsync, retry: true, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(dropped.Count, Is.EqualTo(2));

        var refused = new Attempts(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)), HttpStatusCode.OK);
        var error = Assert.ThrowsAsync<HttpRequestException>(() => resilience.ExecuteAsync(refused.SendAsync, retry: true, CancellationToken.None));
        Assert.That(error!.Message, Is.EqualTo("refused"));
        Assert.That(refused.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Retries_are_used_up_then_the_last_answer_is_returned_undisposed()
    {
        var resilience = new RequestResilience(Quick with { MaxRetries = 2 });
        var attempts = new Attempts(HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.OK);

        using var response = await resilience.ExecuteAsync(attempts.SendAsync, retry: true, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
        Assert.That(attempts.Count, Is.EqualTo(3), "one attempt and two retries");
        Assert.That(attempts.Disposed, Is.EqualTo(new[] { true, true, false }));
    }

    [Test]
    public async Task Without_retries_a_transient_answer_is_returned_at_once()
    {
        var resilience = new RequestResilience(Quick);
        var once = new Attempts(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);

        using var response = await resilience.ExecuteAsync(once.SendAsync, retry: false, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(once.Count, Is.EqualTo(1));

        var none = new RequestResilience(Quick with { MaxRetries = 0 });
        var zero = new Attempts(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var first = await none.ExecuteAsync(zero.SendAsync, retry: true, CancellationToken.None);
        Assert.That(zero.Count, Is.EqualTo(1));
        Assert.That(none.RetryPipelineBuilt, Is.False);
    }

    [Test]
    public void An_attempt_that_hangs_is_cut_at_the_attempt_timeout_and_retried()
    {
        var resilience = new RequestResilience(Quick with { AttemptTimeout = TimeSpan.FromMilliseconds(100), MaxRetries = 1 });
        var attempts = new Attempts(Attempts.Hang, Attempts.Hang);

        var error = Assert.ThrowsAsync<TimeoutRejectedException>(() => resilience.ExecuteAsync(attempts.SendAsync, retry: true, CancellationToken.None));

        Assert.That(error!.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(100)));
        Assert.That(attempts.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task An_attempt_cut_at_its_timeout_is_followed_by_one_that_answers()
    {
        var resilience = new RequestResilience(Quick with { AttemptTimeout = TimeSpan.FromMilliseconds(100) });
        var attempts = new Attempts(Attempts.Hang, HttpStatusCode.OK);

        using var response = await resilience.ExecuteAsync(attempts.SendAsync, retry: true, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(attempts.Count, Is.EqualTo(2));
    }

    [Test]
    public void The_overall_timeout_ends_the_retries_and_names_its_own_limit()
    {
        var resilience = new RequestResilience(Quick with { AttemptTimeout = TimeSpan.FromMilliseconds(100), OverallTimeout = TimeSpan.FromMilliseconds(350), MaxRetries = 1000 });
        var attempts = new Attempts(Enumerable.Repeat<object>(Attempts.Hang, 1000).ToArray());

        var error = Assert.ThrowsAsync<TimeoutRejectedException>(() => resilience.ExecuteAsync(attempts.SendAsync, retry: true, CancellationToken.None));

        Assert.That(error!.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(350)));
        Assert.That(attempts.Count, Is.InRange(2, 5));
    }

    [Test]
    public void The_callers_cancellation_is_a_cancellation_not_a_timeout()
    {
        var resilience = new RequestResilience(Quick);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var error = Assert.CatchAsync<OperationCanceledException>(() => resilience.ExecuteAsync(new Attempts(Attempts.Hang).SendAsync, retry: true, cancel.Token));

        Assert.That(error, Is.Not.InstanceOf<TimeoutRejectedException>());
    }

    [Test]
    public async Task Time_limits_run_on_the_options_clock()
    {
        var clock = new TimerClock();
        var resilience = new RequestResilience(Quick with { TimeProvider = clock, AttemptTimeout = TimeSpan.FromSeconds(30), MaxRetries = 0 });
        var attempts = new Attempts(Attempts.Hang);

        var running = resilience.ExecuteAsync(attempts.SendAsync, retry: true, CancellationToken.None);
        await Task.Delay(50);
        Assert.That(running.IsCompleted, Is.False, "30 s have not passed on the options' clock");

        clock.Fire(TimeSpan.FromSeconds(30));

        var error = Assert.ThrowsAsync<TimeoutRejectedException>(() => running);
        Assert.That(error!.Timeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void A_retry_delay_longer_than_polly_allows_is_refused_with_the_options()
    {
        var error = Assert.Throws<ArgumentException>(() => new RegistryClient(new RegistryClientOptions { RetryBaseDelay = TimeSpan.FromDays(2) }));

        Assert.That(error!.Message, Does.Contain("RetryBaseDelay must be at most one day"));
    }

    /// <summary>Scripted attempts: a status code answers, an exception is thrown, <see cref="Hang"/> waits for cancellation.</summary>
    private sealed class Attempts(params object[] script)
    {
        public static readonly object Hang = new();

        private readonly List<HttpResponseMessage> _responses = [];

        public int Count { get; private set; }

        public IEnumerable<bool> Disposed => _responses.Select(r => r.Content is DisposalWitness { IsDisposed: true });

        public async Task<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
        {
            var step = script[Count++];
            switch (step)
            {
                case HttpStatusCode status:
                    var response = new HttpResponseMessage(status) { Content = new DisposalWitness() };
                    _responses.Add(response);
                    return response;
                case Exception e:
                    throw e;
                default:
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                    throw new InvalidOperationException("unreachable");
            }
        }
    }

    private sealed class DisposalWitness : ByteArrayContent
    {
        public DisposalWitness()
            : base([])
        {
        }

        public bool IsDisposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            IsDisposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>A clock whose timers fire only when the test says how much time has passed.</summary>
    private sealed class TimerClock : TimeProvider
    {
        private readonly List<(TimeSpan Due, TimerCallback Callback, object? State)> _timers = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_timers)
            {
                _timers.Add((dueTime, callback, state));
            }

            return new Inert();
        }

        public void Fire(TimeSpan passed)
        {
            List<(TimeSpan Due, TimerCallback Callback, object? State)> due;
            lock (_timers)
            {
                due = _timers.Where(t => t.Due <= passed).ToList();
            }

            foreach (var timer in due)
            {
                timer.Callback(timer.State);
            }
        }

        private sealed class Inert : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
