namespace Kmm.Preflight.Oci.Threading;

/// <summary>
/// A few threads started ahead of the CPU-bound work that must not queue behind the thread pool (parsing a table of
/// contents beside its decompression, the second half of a parse), and kept for a while after.
/// </summary>
/// <remarks>
/// Not a new thread per job: starting a thread blocks its creator until the new one runs, in a loop of
/// <c>sched_yield</c>, and with both cores busy that loop cost ~0.5–0.8 ms of CPU a thread (perf, 30 cold lookups).
/// Started while the process waits for the network, the threads are there when the work comes. A job that finds no
/// idle thread gets a thread of its own, as before.
/// </remarks>
internal static class ReadyThreads
{
    /// <summary>How long an idle thread waits for a job before it ends.</summary>
    internal static TimeSpan IdleTimeout
    {
        get => _idleTimeout;
        set
        {
            _idleTimeout = value;
            lock (Gate)
            {
                foreach (var worker in Idle)
                {
                    worker.Nudge();
                }
            }
        }
    }

    private static TimeSpan _idleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>At most this many threads are kept.</summary>
    internal const int MaxThreads = 2;

    private static readonly object Gate = new();
    private static readonly List<Worker> Idle = [];
    private static int _count;

    /// <summary>The threads alive now, and how many of them are idle (for tests).</summary>
    internal static (int Alive, int Idle) Count
    {
        get
        {
            lock (Gate)
            {
                return (_count, Idle.Count);
            }
        }
    }

    /// <summary>The name of the ready threads.</summary>
    internal const string ThreadName = "kmm ready thread";

    /// <summary>Starts threads until <see cref="MaxThreads"/> are alive.</summary>
    public static void Prepare()
    {
        while (TryReserve())
        {
            var worker = new Worker();
            lock (Gate)
            {
                Idle.Add(worker);
            }

            worker.Start();
        }
    }

    /// <summary>Runs <paramref name="job"/> on a ready thread, or on a thread of its own when none is idle.</summary>
    /// <remarks>
    /// The task's continuations run on the thread that ran the job unless they ask otherwise, as they would on a
    /// thread of its own; the thread is idle again when they return.
    /// </remarks>
    public static Task<T> Run<T>(Func<T> job)
    {
        Worker? idle = null;
        lock (Gate)
        {
            if (Idle.Count > 0)
            {
                idle = Idle[^1];
                Idle.RemoveAt(Idle.Count - 1);
            }
        }

        if (idle is null)
        {
            return Task.Factory.StartNew(job, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        // The job sees the caller's execution context (async locals, the current activity), as on a thread of its own.
        var completion = new TaskCompletionSource<T>();
        var context = ExecutionContext.Capture();
        idle.Give(() =>
        {
            if (context is null)
            {
                Complete(job, completion);
            }
            else
            {
                ExecutionContext.Run(context, static state => ((Action)state!)(), () => Complete(job, completion));
            }
        });
        return completion.Task;
    }

    private static void Complete<T>(Func<T> job, TaskCompletionSource<T> completion)
    {
        T result;
        try
        {
            result = job();
        }
        catch (Exception ex)
        {
            completion.SetException(ex);
            return;
        }

        completion.SetResult(result);
    }

    private static bool TryReserve()
    {
        lock (Gate)
        {
            if (_count >= MaxThreads)
            {
                return false;
            }

            _count++;
            return true;
        }
    }

    private sealed class Worker
    {
        private readonly object _gate = new();
        private Action? _job;

        public void Start() => new Thread(Loop) { IsBackground = true, Name = ThreadName }.UnsafeStart();

        public void Give(Action job)
        {
            lock (_gate)
            {
                _job = job;
                Monitor.Pulse(_gate);
            }
        }

        private void Loop()
        {
            while (TakeJob() is { } job)
            {
                job();
                lock (Gate)
                {
                    Idle.Add(this);
                }
            }
        }

        /// <summary>Has an idle thread look at <see cref="IdleTimeout"/> again.</summary>
        public void Nudge()
        {
            lock (_gate)
            {
                Monitor.Pulse(_gate);
            }
        }

        // The next job, or null once the thread has been idle for IdleTimeout and has left the idle set.
        private Action? TakeJob()
        {
            var idleSince = Environment.TickCount64;
            while (true)
            {
                lock (_gate)
                {
                    while (_job is null)
                    {
                        var remaining = IdleTimeout.TotalMilliseconds - (Environment.TickCount64 - idleSince);
                        if (remaining <= 0)
                        {
                            break;
                        }

                        Monitor.Wait(_gate, TimeSpan.FromMilliseconds(remaining));
                    }

                    if (_job is { } job)
                    {
                        _job = null;
                        return job;
                    }
                }

                lock (Gate)
                {
                    // Not in the idle set: taken from it just now, and a job is on its way.
                    if (!Idle.Remove(this))
                    {
                        continue;
                    }

                    _count--;
                    return null;
                }
            }
        }
    }
}
