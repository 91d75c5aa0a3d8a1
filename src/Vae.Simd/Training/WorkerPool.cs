using System.Runtime.ExceptionServices;

namespace Vae.Simd.Training;

/// <summary>
/// A process-wide set of long-lived worker threads for the trainer's per-step parallel loops. Unlike
/// <see cref="Parallel.For(int, int, Action{int})"/> it allocates nothing per call and has no scheduler to
/// go through: the caller wakes up to <c>maxThreads − 1</c> workers, takes part itself, and all of them
/// claim item indices from one counter. Which thread runs an item never changes its result, so callers
/// stay deterministic. Calls are serialised; the work must not call the pool again.
/// </summary>
internal sealed class WorkerPool
{
    private static readonly Lazy<WorkerPool> s_shared = new(() => new WorkerPool(Math.Max(0, Environment.ProcessorCount - 1)));

    private readonly ManualResetEventSlim[] _wake;
    private readonly CountdownEvent _finished = new(1);
    private readonly Lock _callLock = new();
    private Action<int>? _work;
    private int _items;
    private int _next;
    private int _active;
    private ExceptionDispatchInfo? _failure;

    private WorkerPool(int workers)
    {
        _wake = new ManualResetEventSlim[workers];
        for (int i = 0; i < workers; i++)
        {
            _wake[i] = new ManualResetEventSlim(false, spinCount: 2000);
            int index = i;
            new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"vae-worker-{i}" }.Start();
        }
    }

    /// <summary>The pool shared by all trainers of this process.</summary>
    public static WorkerPool Shared => s_shared.Value;

    /// <summary>Runs <paramref name="work"/>(0 … items − 1) on up to <paramref name="maxThreads"/> threads, the caller included; returns when all are done.</summary>
    public void Run(int items, int maxThreads, Action<int> work)
    {
        if (items <= 0) return;
        int helpers = Math.Min(Math.Min(maxThreads, items) - 1, _wake.Length);
        if (helpers <= 0)
        {
            for (int i = 0; i < items; i++) work(i);
            return;
        }
        lock (_callLock)
        {
            _work = work;
            _items = items;
            _next = -1;
            _failure = null;
            _active = helpers;
            _finished.Reset(helpers);
            for (int i = 0; i < helpers; i++) _wake[i].Set();
            Drain();
            _finished.Wait();
            _work = null;
            _failure?.Throw();
        }
    }

    private void Drain()
    {
        Action<int> work = _work!;
        try
        {
            for (int i = Interlocked.Increment(ref _next); i < _items; i = Interlocked.Increment(ref _next)) work(i);
        }
        catch (Exception e)
        {
            _failure ??= ExceptionDispatchInfo.Capture(e);
            Interlocked.Exchange(ref _next, _items); // the others stop claiming
        }
    }

    private void WorkerLoop(int index)
    {
        while (true)
        {
            _wake[index].Wait();
            _wake[index].Reset();
            Drain();
            _finished.Signal();
        }
    }
}
