using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Vae.Simd.Tests;

/// <summary>What the tests learn about the <c>Parallel.For</c> loops that the code under test starts.</summary>
internal static class ParallelLoops
{
    /// <summary>
    /// Runs <paramref name="action"/> on this thread and returns how many threads ran the body of the
    /// <c>Parallel.For</c> loops it started (from the loops' ParallelFork events, which the runtime writes
    /// on each thread that joins a loop; loops started by other tests at the same time are told apart by
    /// their fork-join context). More than one means the work was split across threads.
    /// </summary>
    internal static int ThreadsUsedBy(Action action)
    {
        using var listener = new ParallelLoopListener();
        listener.Caller = Environment.CurrentManagedThreadId;
        action();
        return listener.ThreadsInLoopsOfCaller();
    }

    private sealed class ParallelLoopListener : EventListener
    {
        // Initialised before the base constructor, which may already deliver events.
        private readonly ConcurrentDictionary<int, bool> _loopsOfCaller = new();
        private readonly ConcurrentQueue<(int Loop, int Thread)> _forks = new();

        public volatile int Caller = -1;

        public int ThreadsInLoopsOfCaller() => _forks.Where(f => _loopsOfCaller.ContainsKey(f.Loop)).Select(f => f.Thread).Distinct().Count();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "System.Threading.Tasks.Parallel.EventSource") EnableEvents(source, EventLevel.Verbose, EventKeywords.All);
        }

        // Events are delivered synchronously on the thread that writes them.
        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.Payload is not { Count: >= 3 } payload || payload[2] is not int loop) return;
            if (e.EventName == "ParallelLoopBegin" && Environment.CurrentManagedThreadId == Caller) _loopsOfCaller[loop] = true;
            else if (e.EventName == "ParallelFork") _forks.Enqueue((loop, Environment.CurrentManagedThreadId));
        }
    }
}
