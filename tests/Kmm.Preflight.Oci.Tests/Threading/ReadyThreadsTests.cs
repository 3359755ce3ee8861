using Kmm.Preflight.Oci.Threading;
using NUnit.Framework;

namespace Kmm.Preflight.Oci.Tests.Threading;

[NonParallelizable]
public sealed class ReadyThreadsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task ResultsAndFailuresReachTheTask()
    {
        ReadyThreads.Prepare();
        Assert.That(await ReadyThreads.Run(() => 6 * 7), Is.EqualTo(42));
        var failing = ReadyThreads.Run<int>(() => throw new InvalidOperationException("boom"));
        Assert.That(async () => await failing, Throws.InvalidOperationException.With.Message.EqualTo("boom"));
        Assert.That(() => failing.Wait(), Throws.TypeOf<AggregateException>().With.InnerException.TypeOf<InvalidOperationException>());
    }

    [Test]
    public void AJobRunsOnAThreadStartedAhead()
    {
        ReadyThreads.Prepare();
        WaitUntil(() => ReadyThreads.Count.Idle == ReadyThreads.MaxThreads);
        Assert.That(ReadyThreads.Count.Alive, Is.EqualTo(ReadyThreads.MaxThreads));

        var name = ReadyThreads.Run(() => Thread.CurrentThread.Name).Result;
        Assert.That(name, Is.EqualTo(ReadyThreads.ThreadName));
        WaitUntil(() => ReadyThreads.Count.Idle == ReadyThreads.MaxThreads);
        Assert.That(ReadyThreads.Count.Alive, Is.EqualTo(ReadyThreads.MaxThreads), "the thread is kept for the next job");
    }

    [Test]
    public void AJobFindingEveryThreadBusyGetsOneOfItsOwn()
    {
        ReadyThreads.Prepare();
        WaitUntil(() => ReadyThreads.Count.Idle == ReadyThreads.MaxThreads);
        using var release = new ManualResetEventSlim();
        var busy = Enumerable.Range(0, ReadyThreads.MaxThreads).Select(_ => ReadyThreads.Run(() => release.Wait(Patience))).ToArray();
        try
        {
            var extra = ReadyThreads.Run(() => Thread.CurrentThread.Name);
            Assert.That(extra.Wait(Patience), Is.True, "the extra job ran while the ready threads were busy");
            Assert.That(extra.Result, Is.Not.EqualTo(ReadyThreads.ThreadName));
            Assert.That(busy.Any(t => t.IsCompleted), Is.False);
        }
        finally
        {
            release.Set();
        }

        Assert.That(Task.WaitAll(busy, Patience), Is.True);
        Assert.That(busy.Select(t => t.Result), Is.All.True);
    }

    [Test]
    public void IdleThreadsEndAfterTheTimeoutAndAreStartedAgain()
    {
        var saved = ReadyThreads.IdleTimeout;
        try
        {
            ReadyThreads.IdleTimeout = TimeSpan.FromMilliseconds(30);
            ReadyThreads.Prepare();
            WaitUntil(() => ReadyThreads.Count.Alive == 0);
            ReadyThreads.IdleTimeout = saved;
            ReadyThreads.Prepare();
            Assert.That(ReadyThreads.Count.Alive, Is.EqualTo(ReadyThreads.MaxThreads));
            Assert.That(ReadyThreads.Run(() => Thread.CurrentThread.Name).Wait(Patience), Is.True);
        }
        finally
        {
            ReadyThreads.IdleTimeout = saved;
        }
    }

    private static readonly AsyncLocal<string?> Flowing = new();

    [Test]
    public void AJobSeesTheCallersAsyncLocals()
    {
        ReadyThreads.Prepare();
        WaitUntil(() => ReadyThreads.Count.Idle == ReadyThreads.MaxThreads);
        Flowing.Value = "from the caller";
        try
        {
            // Waited for, not awaited: an await's continuation would run on the ready thread, which then is not idle.
            var seen = ReadyThreads.Run(() => (Thread.CurrentThread.Name, Flowing.Value)).Result;
            Assert.That(seen, Is.EqualTo((ReadyThreads.ThreadName, "from the caller")));
        }
        finally
        {
            Flowing.Value = null;
        }

        WaitUntil(() => ReadyThreads.Count.Idle == ReadyThreads.MaxThreads);
        Assert.That(ReadyThreads.Run(() => Flowing.Value).Result, Is.Null, "not left on the thread for the next job");
    }

    [Test]
    public void ManyJobsAtOnceAllRunOnce()
    {
        ReadyThreads.Prepare();
        var count = 0;
        var jobs = Enumerable.Range(0, 200).Select(i => Task.Run(() => ReadyThreads.Run(() => Interlocked.Increment(ref count) > 0 ? i : -1))).ToArray();
        Assert.That(Task.WaitAll(jobs, Patience), Is.True);
        Assert.That(jobs.Select(j => j.Result), Is.EqualTo(Enumerable.Range(0, 200)));
        Assert.That(count, Is.EqualTo(200));
        Assert.That(ReadyThreads.Count.Alive, Is.LessThanOrEqualTo(ReadyThreads.MaxThreads));
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out");
            Thread.Sleep(5);
        }
    }
}
