using System.Runtime.CompilerServices;

namespace Vae.Simd.Tests;

/// <summary>
/// Gives the test process's thread pool enough ready workers for the tests' <c>Parallel.For</c> loops to run on
/// several threads. Without it, on a 2-core machine the pool's threads are busy with the test runner, a loop started
/// by a test found no idle worker, and its body ran on the calling thread alone (measured: every item of 100
/// cases of <c>TwoPhaseLoopTests</c> ran on one thread), so tests "on 8 threads" checked one.
/// </summary>
internal static class TestThreadPool
{
    /// <summary>The most threads any test asks a loop for.</summary>
    public const int Workers = 8;

    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out int workers, out int completion);
        ThreadPool.SetMinThreads(Math.Max(workers, Workers), completion);
    }
}

/// <summary>
/// Tests that must see a <c>Parallel.For</c> run on several threads run in this collection, alone: with the other
/// tests' parallel loops holding every pool thread on a busy 2-core machine, no pool thread was free to join
/// (CI once saw one thread in 20 tries of the threaded GEMM; in a full run, 0 of 200 runs of
/// <c>TwoPhaseLoopTests</c>' property had a second thread, against 120–133 alone). Each such test also asserts
/// that more than one thread took part, so a serial run cannot pass for a threaded one.
/// </summary>
[CollectionDefinition(nameof(ThreadedCollection), DisableParallelization = true)]
public sealed class ThreadedCollection;
